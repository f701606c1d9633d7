/**
 * A QR code as SVG markup (dark modules on transparent; the page puts it on white). The encoder
 * (`qr`, pure JS) is loaded on the first use, in a chunk of its own: the app's first load never
 * carries it.
 */
export async function qrSvg(text: string): Promise<string> {
  const { encodeQR } = await import('qr');
  return encodeQR(text, 'svg', { ecc: 'medium', border: 4 });
}
