/**
 * Secrets must never reach a terminal or a log: a password in a MongoDB URI, a private key,
 * a passphrase. These helpers replace them with `***`.
 */

/** A URI: its scheme, and the rest of it up to the next blank. */
const URI = /\b([a-z][a-z0-9+.-]*:\/\/)(\S*)/gi;
const ARMORED_BLOCK =
  /-----BEGIN PGP PRIVATE KEY BLOCK-----[\s\S]*?(-----END PGP PRIVATE KEY BLOCK-----|$)/g;
/** Secrets this short are redacted as whole tokens only (see {@link redactSecrets}). */
const SHORT_SECRET = 3;

/**
 * Replace the password of every `scheme://user:password@host` URI in `text` with `***`.
 *
 * Users paste passwords unescaped, so a password may hold `@`, `/`, `?`, `#` or `:`: the
 * userinfo is taken to end at the LAST `@` before the next blank, and everything between its
 * first `:` and that `@` is hidden (`mongodb://u:p@ss/x@h/db` gives `mongodb://u:***@h/db`).
 * A user name may hold `@` too (`mongodb://me@example.org:pw@h`). This errs on the side of
 * hiding: an `@` later in the same run of non-blank characters (in a query string, or in a
 * second URI glued to the first) moves the end of the hidden part there; the password is
 * hidden all the same, with some of what follows it.
 */
export function redactUri(text: string): string {
  return text.replace(URI, (whole, scheme: string, rest: string) => {
    const at = rest.lastIndexOf('@');
    const colon = rest.indexOf(':');
    if (at < 0 || colon < 0 || colon > at) return whole;
    return `${scheme}${rest.slice(0, colon)}:***${rest.slice(at)}`;
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Redact everything secret that can appear in a message: URI passwords, armored private
 * keys, and any of the given literal secrets (passphrases) wherever they appear.
 *
 * A secret of 3 characters or more is replaced wherever it occurs, even inside a word. One of
 * 1 or 2 characters is replaced only where it stands as a whole token (not next to a letter
 * or digit): replacing every `e` of a message would make it unreadable and would itself show
 * the passphrase (by the letters that went missing). Such a passphrase protects almost
 * nothing, but where it is printed as a value (`passphrase "x7" is wrong`) it is still hidden.
 * The empty string is no secret.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = redactUri(text).replace(ARMORED_BLOCK, '[private key redacted]');
  const longestFirst = secrets.filter((s) => s !== '').sort((a, b) => b.length - a.length);
  for (const secret of longestFirst) {
    out =
      secret.length >= SHORT_SECRET
        ? out.split(secret).join('***')
        : out.replace(
            new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(secret)}(?![\\p{L}\\p{N}])`, 'gu'),
            '***',
          );
  }
  return out;
}
