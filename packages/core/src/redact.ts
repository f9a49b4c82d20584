/**
 * Secrets must never reach a terminal or a log: a password in a MongoDB URI, a private key,
 * a passphrase. These helpers replace them with `***`.
 */

const URI_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]*):([^@\s/]*)@/gi;
const ARMORED_BLOCK =
  /-----BEGIN PGP PRIVATE KEY BLOCK-----[\s\S]*?(-----END PGP PRIVATE KEY BLOCK-----|$)/g;

/** Replace the password of every `scheme://user:password@host` URI in `text` with `***`. */
export function redactUri(text: string): string {
  return text.replace(
    URI_CREDENTIALS,
    (_match, scheme: string, user: string) => `${scheme}${user}:***@`,
  );
}

/**
 * Redact everything secret that can appear in a message: URI passwords, armored private
 * keys, and any of the given literal secrets (passphrases) wherever they appear.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = redactUri(text).replace(ARMORED_BLOCK, '[private key redacted]');
  for (const secret of secrets) {
    if (secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}
