/**
 * The interface of disclosure control (`./disclosure/`, k-anonymity and l-diversity), as the
 * file driver uses it: a file with quasi-identifier columns is read twice, pass 1 to
 * `observe` every (pseudonymised) row, then `plan`, then pass 2 to `apply` and write.
 * Kept here as types so that the driver takes any implementation (the package's own by
 * default; a stand-in in tests).
 */

export type HierarchyName =
  'country' | 'birth_year' | 'education' | 'gender' | 'course_set' | 'suppress_only';

export interface QuasiIdentifier {
  readonly column: string;
  readonly hierarchy: HierarchyName;
}

export interface DisclosureOptions {
  readonly k: number;
  readonly quasiIdentifiers: readonly QuasiIdentifier[];
  readonly learnerColumn?: string;
  readonly courseColumn?: string;
  readonly maxSuppression?: number;
  readonly sensitive?: { readonly column: string; readonly l: number };
}

export interface DisclosurePlan {
  readonly k: number;
  readonly kReached: number;
  readonly satisfied: boolean;
  readonly levels: Readonly<Record<string, number>>;
  readonly levelNames: Readonly<Record<string, string>>;
  readonly unitsTotal: number;
  readonly unitsSuppressed: number;
  readonly rowsTotal: number;
  readonly rowsSuppressed: number;
  readonly cellsGeneralised: Readonly<Record<string, number>>;
  readonly equivalenceClasses: number;
  readonly lReached?: number;
}

/** What the driver needs of a disclosure control. */
export interface Disclosure {
  observe(row: Readonly<Record<string, string>>): void;
  plan(): DisclosurePlan;
  apply(row: Readonly<Record<string, string>>): Record<string, string> | null;
}

/** Makes a {@link Disclosure} for one file. */
export type DisclosureFactory = (options: DisclosureOptions) => Disclosure;

export const HIERARCHY_NAMES: readonly HierarchyName[] = [
  'country',
  'birth_year',
  'education',
  'gender',
  'course_set',
  'suppress_only',
];
