import { UsageError } from '@edx-data/core';
import { openEmbeddedStore } from './embedded/embedded-store.js';
import { openMongoStore } from './mongodb/mongo-store.js';
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
}

const MONGODB_SCHEME = /^mongodb(\+srv)?:\/\//iu;
const ANY_SCHEME = /^([a-z][a-z0-9+.-]*):\/\//iu;

/**
 * Open a store:
 * - `mongodb://…` or `mongodb+srv://…`: the MongoDB engine (the official driver); the
 *   server is contacted now, so an unreachable one fails here (after 8 s by default);
 * - a folder path (or `file://` URL), or nothing: the embedded engine in that folder,
 *   created mode 0700 when missing. Without an argument, `EDX_STORE` is used, then
 *   `./edx-data`.
 * @throws UsageError `E_STORE_URI` for any other URI scheme
 * @throws StoreError `E_STORE_UNREACHABLE` when a MongoDB server cannot be reached
 */
export async function openStore(uri?: string, options: OpenStoreOptions = {}): Promise<Store> {
  const env = options.env ?? process.env;
  const location = uri ?? env['EDX_STORE'] ?? DEFAULT_STORE_LOCATION;
  if (location.trim().length === 0) {
    throw new UsageError(
      'E_STORE_URI',
      'empty store location; give a folder path or a mongodb:// URI',
    );
  }
  if (MONGODB_SCHEME.test(location)) {
    return openMongoStore(location, {
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 8_000,
    });
  }
  const scheme = ANY_SCHEME.exec(location);
  if (scheme) {
    if (scheme[1]?.toLowerCase() === 'file') {
      return openEmbeddedStore(decodeURIComponent(new URL(location).pathname));
    }
    throw new UsageError(
      'E_STORE_URI',
      `unknown store URI scheme "${scheme[1] ?? ''}:"; expected mongodb://, mongodb+srv:// or a folder path`,
    );
  }
  return openEmbeddedStore(location);
}
