/**
 * A QR code drawn with Unicode half blocks, for the start banner: the iPhone's camera opens the
 * address without anyone typing it. Each character cell holds two modules, one above the other
 * (`▀`, `▄`, `█`, space), so the code stays square in a terminal and small: a LAN address
 * (`http://192.168.100.200:4533/`, 28 bytes) is version 2, 25 modules, 17 lines with the quiet zone.
 *
 * The symbol comes from `qr` (zero dependencies, maintained, Node >= 20.19 like us) rather than
 * an encoder of our own: Reed-Solomon blocks, masks and their penalty rules are 300 lines that
 * a terminal picture does not justify owning. ECC level L: a screen is not a label that gets
 * scratched, and a smaller version means larger modules at the same size.
 */
import { encodeQR } from 'qr';

/** ISO/IEC 18004 §5.3.8: four light modules around the symbol. */
export const QUIET_ZONE = 4;

// Light modules are drawn in the foreground colour, so both colours are set explicitly:
// a light-on-dark code is read by few scanners, and terminal themes differ.
const LIGHT_ON_DARK = '\x1b[97;40m';
const RESET = '\x1b[0m';
/** Indexed by (top is light) * 2 + (bottom is light). */
const CELLS = [' ', '▄', '▀', '█'] as const;

/** The module matrix, true = dark, quiet zone included. */
export function qrModules(text: string): boolean[][] {
  return encodeQR(text, 'raw', { ecc: 'low', border: QUIET_ZONE });
}

/** The code as terminal lines (with colour escapes), two module rows per line. */
export function qrTerminalLines(text: string): string[] {
  const modules = qrModules(text);
  const light = (row: number, column: number) => modules[row]?.[column] === false;
  const lines: string[] = [];
  for (let row = 0; row < modules.length; row += 2) {
    let line = '';
    for (let column = 0; column < modules.length; column++) {
      line += CELLS[Number(light(row, column)) * 2 + Number(light(row + 1, column))];
    }
    lines.push(`${LIGHT_ON_DARK}${line}${RESET}`);
  }
  return lines;
}
