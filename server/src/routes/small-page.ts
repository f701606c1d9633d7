/**
 * The small plain pages the server answers itself (a used pairing link, a share link that is
 * gone): no script, light and dark, readable on a phone.
 */
export function smallPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>
  body { font: 17px/1.5 -apple-system, system-ui, sans-serif; margin: 0; padding: 12vh 24px; max-width: 34em; margin-inline: auto; }
  h1 { font-size: 1.5em; line-height: 1.2; }
  code { font: 0.95em ui-monospace, monospace; background: color-mix(in srgb, currentColor 10%, transparent); padding: 0.1em 0.35em; border-radius: 4px; }
  li { margin-block: 0.4em; }
</style>
${body}
</html>
`;
}
