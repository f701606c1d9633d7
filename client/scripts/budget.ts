/**
 * The client's size budget: the JavaScript and CSS that index.html loads up front, gzipped,
 * must stay within 30 KB (30,000 bytes, so it holds whichever way "KB" is read).
 *
 *   npx tsx client/scripts/budget.ts          # reads client/dist, building it first if missing
 *   npx tsx client/scripts/budget.ts --build  # always builds first
 *   npx tsx client/scripts/budget.ts --json   # one JSON line (for `npm run bench`)
 *
 * Exits 1 when over budget.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const BUDGET_BYTES = 30_000;

const clientDir = fileURLToPath(new URL('..', import.meta.url));
const distDir = new URL('../dist/', import.meta.url);

export interface BudgetReport {
  files: { file: string; bytes: number; gzip: number }[];
  /** Gzipped bytes of the initial JS + CSS. */
  gzip: number;
  budget: number;
  ok: boolean;
}

/** The JS and CSS files index.html loads before first render: module scripts, preloads, stylesheets. */
export function initialAssets(html: string): string[] {
  const found = new Set<string>();
  for (const tag of html.match(/<(script|link)\b[^>]*>/gi) ?? []) {
    const attr = (name: string) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']+)["']`, 'i').exec(tag)?.[1];
    const url = tag.toLowerCase().startsWith('<script') ? attr('src') : attr('href');
    if (!url || /^(https?:)?\/\//.test(url)) continue;
    const rel = attr('rel')?.toLowerCase();
    if (tag.toLowerCase().startsWith('<script') || rel === 'stylesheet' || rel === 'modulepreload') found.add(url.replace(/^\//, ''));
  }
  return [...found].filter((f) => /\.(m?js|css)$/.test(f));
}

export function measure(): BudgetReport {
  const html = readFileSync(new URL('index.html', distDir), 'utf8');
  const files = initialAssets(html).map((file) => {
    const bytes = readFileSync(new URL(file, distDir));
    return { file, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  // Inline <script>/<style> in the page count too.
  const inline = [...html.matchAll(/<(script|style)\b[^>]*>([\s\S]*?)<\/\1>/gi)].map((m) => m[2]!).filter((s) => s.trim());
  if (inline.length) {
    const text = Buffer.from(inline.join('\n'));
    files.push({ file: '(inline in index.html)', bytes: text.length, gzip: gzipSync(text, { level: 9 }).length });
  }
  const gzip = files.reduce((sum, f) => sum + f.gzip, 0);
  return { files, gzip, budget: BUDGET_BYTES, ok: gzip <= BUDGET_BYTES };
}

async function main() {
  const args = new Set(process.argv.slice(2));
  if (args.has('--build') || !existsSync(new URL('index.html', distDir))) {
    const { build } = await import('vite');
    await build({ root: clientDir, logLevel: 'warn' });
  }
  const report = measure();
  if (args.has('--json')) {
    console.log(JSON.stringify({ name: 'client initial JS+CSS (gzip)', ...report }));
  } else {
    for (const f of report.files) console.log(`  ${f.file.padEnd(40)} ${String(f.bytes).padStart(8)} B  ${String(f.gzip).padStart(7)} B gzip`);
    const kb = (n: number) => `${(n / 1000).toFixed(1)} KB`;
    console.log(`client budget: initial JS+CSS ${kb(report.gzip)} gzipped of ${kb(report.budget)}: ${report.ok ? 'ok' : 'OVER BUDGET'}`);
  }
  process.exitCode = report.ok ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
