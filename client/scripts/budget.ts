/**
 * The client's size budgets: the JavaScript and CSS that index.html loads up front, gzipped,
 * must stay within 30 KB (30,000 bytes, so it holds whichever way "KB" is read); the public
 * share page's script and CSS (the `src/share/main.ts` entry of Vite's manifest, which the
 * server links from `/s/:id`), within 15 KB, in one script: a chunk it imports statically would
 * be fetched only once the script is in, before the page's player can start.
 *
 *   npx tsx client/scripts/budget.ts          # reads client/dist, building it first if missing
 *   npx tsx client/scripts/budget.ts --build  # always builds first
 *   npx tsx client/scripts/budget.ts --json   # one JSON line per budget (for `npm run bench`)
 *
 * Exits 1 when over budget.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const BUDGET_BYTES = 30_000;
export const SHARE_BUDGET_BYTES = 15_000;
/** The share page's entry in dist/.vite/manifest.json. */
export const SHARE_ENTRY = 'src/share/main.ts';

const clientDir = fileURLToPath(new URL('..', import.meta.url));
const distDir = new URL('../dist/', import.meta.url);

export interface BudgetReport {
  files: { file: string; bytes: number; gzip: number }[];
  /** Gzipped bytes of the initial JS + CSS. */
  gzip: number;
  budget: number;
  ok: boolean;
  /** What is wrong besides the size. */
  problem?: string;
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

function sizes(file: string, dist = distDir) {
  const bytes = readFileSync(new URL(file, dist));
  return { file, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

export function measure(): BudgetReport {
  const html = readFileSync(new URL('index.html', distDir), 'utf8');
  const files = initialAssets(html).map((file) => sizes(file));
  // Inline <script>/<style> in the page count too.
  const inline = [...html.matchAll(/<(script|style)\b[^>]*>([\s\S]*?)<\/\1>/gi)].map((m) => m[2]!).filter((s) => s.trim());
  if (inline.length) {
    const text = Buffer.from(inline.join('\n'));
    files.push({ file: '(inline in index.html)', bytes: text.length, gzip: gzipSync(text, { level: 9 }).length });
  }
  const gzip = files.reduce((sum, f) => sum + f.gzip, 0);
  return { files, gzip, budget: BUDGET_BYTES, ok: gzip <= BUDGET_BYTES };
}

interface ManifestChunk {
  file: string;
  css?: string[];
  imports?: string[];
}

/** The share page's script, the chunks it imports and its CSS, as the manifest lists them (`dist`: a build folder's URL, with its final slash). */
export function measureShare(dist = distDir): BudgetReport {
  const manifest = JSON.parse(readFileSync(new URL('.vite/manifest.json', dist), 'utf8')) as Record<string, ManifestChunk>;
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk) throw new Error(`no ${key} in client/dist/.vite/manifest.json`);
    if (files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  visit(SHARE_ENTRY);
  const measured = [...files].map((file) => sizes(file, dist));
  const gzip = measured.reduce((sum, f) => sum + f.gzip, 0);
  const imported = manifest[SHARE_ENTRY]?.imports ?? [];
  const problem = imported.length ? `the share page's script imports ${imported.join(', ')} (one more round trip before it starts)` : undefined;
  return { files: measured, gzip, budget: SHARE_BUDGET_BYTES, ok: gzip <= SHARE_BUDGET_BYTES && !problem, ...(problem ? { problem } : {}) };
}

async function main() {
  const args = new Set(process.argv.slice(2));
  if (args.has('--build') || !existsSync(new URL('index.html', distDir))) {
    const { build } = await import('vite');
    await build({ root: clientDir, logLevel: 'warn' });
  }
  const reports: [string, BudgetReport][] = [
    ['client initial JS+CSS', measure()],
    ['share page JS+CSS', measureShare()],
  ];
  for (const [name, report] of reports) {
    if (args.has('--json')) {
      console.log(JSON.stringify({ name: `${name} (gzip)`, ...report }));
      continue;
    }
    for (const f of report.files) console.log(`  ${f.file.padEnd(40)} ${String(f.bytes).padStart(8)} B  ${String(f.gzip).padStart(7)} B gzip`);
    const kb = (n: number) => `${(n / 1000).toFixed(1)} KB`;
    console.log(`budget: ${name} ${kb(report.gzip)} gzipped of ${kb(report.budget)}: ${report.ok ? 'ok' : (report.problem ?? 'OVER BUDGET')}`);
  }
  process.exitCode = reports.every(([, report]) => report.ok) ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
