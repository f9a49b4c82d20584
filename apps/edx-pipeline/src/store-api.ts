import type * as storeApi from '@edx-data/store';
import type { Store } from '@edx-data/store';

/** The `@edx-data/store` module. */
export type StoreApi = typeof storeApi;

/** Opens a store: `openStore` of `@edx-data/store`, or a fake in tests. */
export type OpenStore = (
  uri: string | undefined,
  options: {
    readonly env: Readonly<Record<string, string | undefined>>;
    /** False: refuse a location that holds no store (`E_STORE_NOT_FOUND`). */
    readonly create: boolean;
  },
) => Promise<Store>;

/**
 * Load `@edx-data/store` on first use, so that `--help`, `--version` and usage errors do not
 * pay for loading the MongoDB driver and SQLite.
 */
export function loadStoreApi(): Promise<StoreApi> {
  return import('@edx-data/store');
}
