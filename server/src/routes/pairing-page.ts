/**
 * The page a used or expired pairing link answers (410): what happened and how to get a new
 * link.
 */
import { smallPage } from './small-page.js';

export function pairingGonePage(): string {
  return smallPage(
    'Pairing link expired · musicsharer',
    `<h1>This pairing link has been used or has expired</h1>
<p>A pairing link works once, for 15 minutes (5 minutes when a device made it).</p>
<p>To get a new one:</p>
<ul>
  <li>on the computer running musicsharer, run <code>npm run pair</code> and scan the code it prints, or</li>
  <li>on a device that is already paired, open <strong>Devices → Add a device</strong> and scan its code or type its six digits on this device.</li>
</ul>
<p><a href="/">Open musicsharer</a></p>`,
  );
}
