/**
 * What the file driver needs of disclosure control (`./disclosure/`): a file with
 * quasi-identifier columns is read twice, pass 1 to `observe` every (pseudonymised) row, then
 * `plan`, then pass 2 to `apply` and write. The driver takes any {@link DisclosureFactory}
 * (the package's `DisclosureControl` by default; a stand-in in tests).
 */
import type { DisclosureOptions, DisclosurePlan } from './disclosure/index.js';

/** One file's disclosure control, as the driver uses it. */
export interface Disclosure {
  observe(row: Readonly<Record<string, string>>): void;
  plan(): DisclosurePlan;
  apply(row: Readonly<Record<string, string>>): Record<string, string> | null;
}

/** Makes a {@link Disclosure} for one file. */
export type DisclosureFactory = (options: DisclosureOptions) => Disclosure;
