import { redactSecrets } from '@edx-data/core';
import type { Writer } from './io.js';

/** Secrets known so far, and the function that hides them (plus every URI password) in a text. */
export interface Redactor {
  /** Hide every known secret and every `scheme://user:password@` password in `text`. */
  redact(text: string): string;
  /** Add a secret (a passphrase read by a command) to hide from now on. */
  add(secret: string): void;
}

const URI_PASSWORD = /:\/\/[^/\s:@]*:([^\s/]*)@/gu;
const SECRET_ENV_NAME = /PASSPHRASE|PASSWORD|SECRET|TOKEN/iu;

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The secrets that may show up in the output of a run: the password of any URI on the
 * command line or in `EDX_STORE` (as typed and percent-decoded, so that a driver message
 * quoting it bare is caught too), and the value of every environment variable whose name
 * says it is a passphrase, password, secret or token.
 */
export function collectSecrets(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const secrets = new Set<string>();
  const store = env['EDX_STORE'];
  for (const value of store === undefined ? argv : [...argv, store]) {
    for (const match of value.matchAll(URI_PASSWORD)) {
      const password = match[1] ?? '';
      secrets.add(password).add(decoded(password));
    }
  }
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && SECRET_ENV_NAME.test(name)) secrets.add(value);
  }
  return [...secrets].filter((secret) => secret.length > 0);
}

export function createRedactor(initialSecrets: readonly string[] = []): Redactor {
  const secrets = [...initialSecrets];
  return {
    redact: (text) => redactSecrets(text, secrets),
    add(secret) {
      if (secret.length > 0 && !secrets.includes(secret)) secrets.push(secret);
    },
  };
}

/** A writer that redacts everything before passing it on; keeps the `isTTY` of the original. */
export function redactingWriter(writer: Writer, redactor: Redactor): Writer {
  return {
    write: (text) => writer.write(redactor.redact(text)),
    isTTY: writer.isTTY,
  };
}
