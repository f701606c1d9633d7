/**
 * Reads what a built index.html loads: the entry script, module preloads, stylesheets, the web
 * app manifest and the apple-touch-icon. A few tags from Vite's output, not a general HTML parser.
 */

export interface Tag {
  name: string;
  attributes: Record<string, string>;
}

export function tags(html: string, names: readonly string[]): Tag[] {
  const out: Tag[] = [];
  const tagPattern = /<([a-zA-Z]+)\b((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
  for (const match of html.matchAll(tagPattern)) {
    const name = match[1]!.toLowerCase();
    if (!names.includes(name)) continue;
    const attributes: Record<string, string> = {};
    for (const attr of match[2]!.matchAll(/([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
      attributes[attr[1]!.toLowerCase()] = attr[2] ?? attr[3] ?? attr[4] ?? '';
    }
    out.push({ name, attributes });
  }
  return out;
}

export interface InitialAssets {
  /** `<script type="module" src>`: the entry chunk(s). */
  scripts: string[];
  /** `<link rel="modulepreload" href>` */
  modulePreloads: string[];
  /** `<link rel="stylesheet" href>` */
  stylesheets: string[];
  manifest: string | null;
  appleTouchIcon: string | null;
}

const rels = (tag: Tag) => (tag.attributes.rel ?? '').toLowerCase().split(/\s+/);

export function initialAssets(html: string): InitialAssets {
  const found = tags(html, ['script', 'link']);
  const links = found.filter((t) => t.name === 'link' && t.attributes.href);
  return {
    scripts: found.filter((t) => t.name === 'script' && t.attributes.src).map((t) => t.attributes.src!),
    modulePreloads: links.filter((t) => rels(t).includes('modulepreload')).map((t) => t.attributes.href!),
    stylesheets: links.filter((t) => rels(t).includes('stylesheet')).map((t) => t.attributes.href!),
    manifest: links.find((t) => rels(t).includes('manifest'))?.attributes.href ?? null,
    appleTouchIcon: links.find((t) => rels(t).includes('apple-touch-icon'))?.attributes.href ?? null,
  };
}
