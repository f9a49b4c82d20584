import type { Store } from '@edx-data/store';
import type { CliIo } from './io.js';
import type { Progress } from './progress.js';
import { createProgress } from './progress.js';
import type { Redactor } from './redaction.js';
import { PROGRAM_NAME } from './report-error.js';
import type { OpenStore } from './store-api.js';

/** The options every command accepts, before or after its name. */
export interface GlobalOptions {
  /** `--store <uri>`: a folder (embedded engine) or a `mongodb://` URI. */
  readonly store?: string;
  /** `--json`: print one JSON object on stdout instead of the human summary. */
  readonly json?: boolean;
  /** `--no-progress` sets it to false. */
  readonly progress: boolean;
}

/** How a command wants its store. */
export interface OpenStoreRequest {
  /** The store when neither `--store` nor `EDX_STORE` names one (a command's own, as the demo's). */
  readonly fallback?: string | undefined;
  /**
   * False for a command that only reads (or reads before it writes): a location that holds no
   * store is then a usage error (`E_STORE_NOT_FOUND`, exit 2) rather than an empty store.
   * @default true
   */
  readonly create?: boolean | undefined;
}

/** What the runner gives every command. */
export interface CommandContext {
  /** True with `--json`: the runner prints the result's `summary` instead of its `text`. */
  readonly json: boolean;
  /** Progress on stderr; drawn only with a terminal and without `--no-progress`. */
  readonly progress: Progress;
  /** True when `EDX_DEBUG` is set. */
  readonly debug: boolean;
  /** The environment (read secrets from here, then pass them to {@link addSecret}). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * The store named by `--store`, else `fallback` when given (a command's own store, such as
   * the demo's), else `EDX_STORE`, else `./edx-data`; opened on the first call (later calls
   * return it, whatever their `fallback`), and closed by the runner when the command ends,
   * whatever the outcome.
   */
  openStore(options?: OpenStoreRequest): Promise<Store>;
  /** Write `edx-pipeline: warning: <message>` on stderr (redacted). */
  warn(message: string): void;
  /** Never print `secret` (a passphrase, a key) from now on, on stdout or stderr. */
  addSecret(secret: string): void;
}

export interface ContextSettings {
  readonly io: CliIo;
  readonly globals: GlobalOptions;
  readonly debug: boolean;
  readonly redactor: Redactor;
  readonly openStore: OpenStore;
}

/** A context and the function that releases what it opened (the store). */
export interface OpenContext {
  readonly context: CommandContext;
  readonly close: () => Promise<void>;
}

export function createContext(settings: ContextSettings): OpenContext {
  const { io, globals, redactor } = settings;
  const progress = createProgress(io.stderr, globals.progress);
  let opening: Promise<Store> | undefined;

  const context: CommandContext = {
    json: globals.json === true,
    progress,
    debug: settings.debug,
    env: io.env,
    openStore(options = {}) {
      opening ??= settings.openStore(globals.store ?? options.fallback, {
        env: io.env,
        create: options.create ?? true,
      });
      return opening;
    },
    warn(message) {
      progress.clear();
      io.stderr.write(`${PROGRAM_NAME}: warning: ${message}\n`);
    },
    addSecret(secret) {
      redactor.add(secret);
    },
  };

  return {
    context,
    async close() {
      progress.clear();
      if (opening === undefined) return;
      const pending = opening;
      opening = undefined;
      let store: Store;
      try {
        store = await pending;
      } catch {
        return; // it never opened; the command has reported why
      }
      await store.close();
    },
  };
}
