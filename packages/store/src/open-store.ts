import { createRequire } from 'node:module';
import { UsageError } from '@edx-data/core';
import type { Store } from './types.js';

/** The store folder used when neither an argument nor `EDX_STORE` names one. */
export const DEFAULT_STORE_LOCATION = './edx-data';

export interface OpenStoreOptions {
  /**
   * MongoDB engine: how long to look for a server before giving up, in ms.
   * @default 8000 (so that a command gives up within 10 s, start-up included)
   */
  readonly serverSelectionTimeoutMS?: number;
  /** Environment to read `EDX_STORE` from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Embedded engine: `false` when the location must already hold a store (a command that
   * only reads): a missing folder, a file, or a folder without store databases is refused
   * with `E_STORE_NOT_FOUND` instead of becoming an empty store. The MongoDB engine has
   * nothing to check (any server is a store).
   * @default true (the folder is created on the first write)
   */
  readonly create?: boolean;
}

const MONGODB_SCHEME = /^mongodb(\+srv)?:\/\//iu;
const ANY_SCHEME = /^([a-z][a-z0-9+.-]*):\/\//iu;

/**
 * Check that an engine's driver, an optional peer dependency of this package, is installed,
 * before its module (which imports it) is loaded: a package that only parses never needs
 * either driver, so neither is loaded (or required) until a store is opened.
 */
function requireDriver(driver: 'better-sqlite3' | 'mongodb', engine: string): void {
  try {
    createRequire(import.meta.url).resolve(driver);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw error;
    throw new UsageError(
      'E_USAGE',
      `the ${engine} engine needs the package ${driver}, which is not installed: run \`npm install ${driver}\``,
      { cause: error },
    );
  }
}

async function openEmbedded(folder: string, create: boolean): Promise<Store> {
  requireDriver('better-sqlite3', 'embedded (folder)');
  const { openEmbeddedStore } = await import('./embedded/embedded-store.js');
  return openEmbeddedStore(folder, { create });
}

/**
 * Open a store:
 * - `mongodb://…` or `mongodb+srv://…`: the MongoDB engine (the official driver, the optional
 *   peer dependency `mongodb`); the server is contacted now, so an unreachable one fails
 *   here (after 8 s by default);
 * - a folder path (or `file://` URL), or nothing: the embedded engine (the optional peer
 *   dependency `better-sqlite3`) in that folder, created mode 0700 on the first write unless
 *   `create: false`. Without an argument, `EDX_STORE` is used, then `./edx-data`.
 * @throws UsageError `E_STORE_URI` for any other URI scheme; `E_USAGE` when the engine's
 *   driver is not installed (the message says what to install); `E_STORE_NOT_FOUND` with
 *   `create: false` when the location holds no store (the message says what is there)
 * @throws StoreError `E_STORE_UNREACHABLE` when a MongoDB server cannot be reached
 */
export async function openStore(uri?: string, options: OpenStoreOptions = {}): Promise<Store> {
  const env = options.env ?? process.env;
  const location = uri ?? env['EDX_STORE'] ?? DEFAULT_STORE_LOCATION;
  const create = options.create ?? true;
  if (location.trim().length === 0) {
    throw new UsageError(
      'E_STORE_URI',
      'empty store location; give a folder path or a mongodb:// URI',
    );
  }
  if (MONGODB_SCHEME.test(location)) {
    requireDriver('mongodb', 'MongoDB');
    const { openMongoStore } = await import('./mongodb/mongo-store.js');
    return openMongoStore(location, {
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 8_000,
    });
  }
  const scheme = ANY_SCHEME.exec(location);
  if (scheme) {
    if (scheme[1]?.toLowerCase() === 'file') {
      return openEmbedded(decodeURIComponent(new URL(location).pathname), create);
    }
    throw new UsageError(
      'E_STORE_URI',
      `unknown store URI scheme "${scheme[1] ?? ''}:"; expected mongodb://, mongodb+srv:// or a folder path`,
    );
  }
  return openEmbedded(location, create);
}
