import type { Command } from 'commander';
import { UsageError } from '@edx-data/core';
import type { CommandContext } from './context.js';

/** The options of a command that reads encrypted inputs. */
export interface KeyOptions {
  readonly key?: string;
  readonly passphraseEnv?: string;
}

/** Add `--key <file>` and `--passphrase-env <var>` to a command. */
export function addKeyOptions(command: Command): Command {
  return command
    .option('--key <file>', 'OpenPGP private key (armored) for .gpg files')
    .option(
      '--passphrase-env <var>',
      'environment variable holding the key passphrase (never given on the command line)',
    );
}

/**
 * The passphrase named by `--passphrase-env`, registered with the context as a secret so that
 * it is never printed (stdout, stderr, `--json`).
 * @throws UsageError `E_OPTION` when the variable is not set
 */
export function passphraseFrom(context: CommandContext, options: KeyOptions): string | undefined {
  if (options.passphraseEnv === undefined) return undefined;
  const passphrase = context.env[options.passphraseEnv];
  if (passphrase === undefined) {
    throw new UsageError(
      'E_OPTION',
      `--passphrase-env ${options.passphraseEnv}: that variable is not set`,
    );
  }
  context.addSecret(passphrase);
  return passphrase;
}
