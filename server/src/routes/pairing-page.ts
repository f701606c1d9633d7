/**
 * The page a used or expired pairing link answers (410): what happened and how to get a new
 * link. Plain HTML, no script, light and dark.
 */
export function pairingGonePage(): string {
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex">
<title>Pairing link expired · musicsharer</title>
<style>
  body { font: 17px/1.5 -apple-system, system-ui, sans-serif; margin: 0; padding: 12vh 24px; max-width: 34em; margin-inline: auto; }
  h1 { font-size: 1.5em; line-height: 1.2; }
  code { font: 0.95em ui-monospace, monospace; background: color-mix(in srgb, currentColor 10%, transparent); padding: 0.1em 0.35em; border-radius: 4px; }
  li { margin-block: 0.4em; }
</style>
<h1>This pairing link has been used or has expired</h1>
<p>A pairing link works once, for 15 minutes (5 minutes when a device made it).</p>
<p>To get a new one:</p>
<ul>
  <li>on the computer running musicsharer, run <code>npm run pair</code> and scan the code it prints, or</li>
  <li>on a device that is already paired, open <strong>Devices → Add a device</strong> and scan its code or type its six digits on this device.</li>
</ul>
<p><a href="/">Open musicsharer</a></p>
</html>
`;
}
