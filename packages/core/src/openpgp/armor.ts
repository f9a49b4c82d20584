/** Feeding armored OpenPGP text to openpgp while watching for a cut-off end. */
import type { InputEnd } from './failure.js';

const ARMOR_FOOTER = '-----END PGP MESSAGE-----';

/**
 * Decodes armored text for openpgp. Once the text has ended, `end.cut` says whether the
 * armor's END line was missing: then the file was cut short, whatever openpgp makes of it.
 */
export async function* decodeArmor(
  src: AsyncIterable<Uint8Array>,
  end: InputEnd,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let tail = '';
  let footer = false;
  const look = (text: string): string => {
    const window = tail + text;
    if (!footer && window.includes(ARMOR_FOOTER)) footer = true;
    tail = window.slice(-ARMOR_FOOTER.length);
    return text;
  };
  for await (const chunk of src) yield look(decoder.decode(chunk, { stream: true }));
  const rest = decoder.decode();
  look(rest);
  end.cut = !footer;
  if (rest !== '') yield rest;
}
