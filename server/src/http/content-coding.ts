/**
 * Content negotiation of the content coding (RFC 9110 §12.5.3 Accept-Encoding). Pure: no I/O.
 *
 *   Accept-Encoding = #( codings [ weight ] )
 *   codings         = content-coding / "identity" / "*"
 *   weight          = OWS ";" OWS "q=" qvalue
 *   qvalue          = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
 */

export type ContentCoding = 'br' | 'gzip' | 'deflate' | 'identity';

const QVALUE = /^\s*q\s*=\s*(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)\s*$/i;

/**
 * The coding to answer with: of `offered` (the server's order of preference) and identity, the
 * one the client weighs highest; on a tie the earlier offered, identity last.
 *
 * - No Accept-Encoding at all: identity. Any coding would be acceptable (§12.5.3), but a
 *   client that says nothing gets the plain body, as from every common server.
 * - An empty field: identity only.
 * - `*` weighs every coding not listed by name, identity included; `q=0` refuses.
 * - identity stays acceptable unless refused by `identity;q=0` or `*;q=0` (§12.5.3); not
 *   named, it weighs as little as the least wanted coding listed (as jshttp/negotiator does),
 *   so `gzip;q=0.5` still means gzip.
 * - Coding names are case-insensitive (§8.4.1); `x-gzip` is gzip (§8.4.1.3).
 * - An element with a malformed weight is ignored.
 * - Nothing acceptable: identity all the same (the other choice, 406, helps no one).
 */
export function negotiateContentCoding(header: string | undefined, offered: readonly Exclude<ContentCoding, 'identity'>[]): ContentCoding {
  if (header === undefined) return 'identity';
  const weights = new Map<string, number>();
  for (const element of header.split(',')) {
    const [name = '', ...params] = element.split(';');
    let coding = name.trim().toLowerCase();
    if (coding === '') continue;
    if (coding === 'x-gzip') coding = 'gzip';
    let q = 1;
    let malformed = false;
    for (const param of params) {
      const match = QVALUE.exec(param);
      if (match) q = Number(match[1]);
      else malformed = true;
    }
    if (malformed) continue;
    weights.set(coding, Math.max(q, weights.get(coding) ?? 0));
  }
  const star = weights.get('*');
  const listed = [...weights.values()].filter((weight) => weight > 0);
  const implicitIdentity = listed.length === 0 ? 1 : Math.min(...listed);
  const weightOf = (coding: ContentCoding) => weights.get(coding) ?? star ?? (coding === 'identity' ? implicitIdentity : 0);
  let best: ContentCoding = 'identity';
  let bestWeight = 0;
  for (const coding of [...offered, 'identity'] as const) {
    const weight = weightOf(coding);
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  return best;
}
