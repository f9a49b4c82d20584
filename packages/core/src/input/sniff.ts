/**
 * Telling an input's wrapping from its first bytes and its name: binary or armored OpenPGP,
 * gzip. Pure functions, no I/O.
 */

/** How many bytes of the start of a file {@link openInput} looks at. */
export const SNIFF_BYTES = 64;
/** The first line of an ASCII-armored OpenPGP message. */
export const ARMOR_HEADER = '-----BEGIN PGP MESSAGE-----';
/** Names that promise OpenPGP encryption. */
export const GPG_NAME = /\.(gpg|pgp)$/i;
/** The armored OpenPGP name suffix. */
export const ARMOR_NAME = /\.asc$/i;
export const GZIP_NAME = /\.gz$/i;
/** OpenPGP packet tags that can start an encrypted message: PKESK, SKESK, SED, marker, SEIPD, AEAD. */
const ENCRYPTED_MESSAGE_TAGS = new Set([1, 3, 9, 10, 18, 20]);

/** True for the first bytes of a binary OpenPGP encrypted message. */
export function looksLikeBinaryPgp(head: Uint8Array): boolean {
  const b = head[0];
  if (b === undefined || (b & 0x80) === 0) return false;
  const tag = (b & 0x40) !== 0 ? b & 0x3f : (b >> 2) & 0x0f;
  return ENCRYPTED_MESSAGE_TAGS.has(tag);
}

/** True when the text starts (after a BOM and blank space) with the armor header line. */
export function looksLikeArmoredPgp(head: Uint8Array): boolean {
  const text = Buffer.from(head)
    .toString('latin1')
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '');
  return text.trimStart().startsWith(ARMOR_HEADER);
}

export function looksLikeGzip(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b;
}
