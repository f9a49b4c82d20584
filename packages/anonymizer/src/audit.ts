/**
 * The audit written beside the output (`anonymisation-audit.json`): what was dropped,
 * generalised, pseudonymised and scrubbed (counts per column), the k reached, and the
 * fingerprint of the key (never the key).
 */
import type { ColumnAction } from './column-plan.js';
import type { DisclosurePlan, QuasiIdentifier } from './disclosure/index.js';
import type { ColumnCounts } from './row-anonymizer.js';

/** The name of the audit file in the output folder. */
export const AUDIT_FILE = 'anonymisation-audit.json';

export interface ColumnAudit extends ColumnCounts {
  readonly column: string;
  /** Its name in the output; null when dropped. */
  readonly output: string | null;
  readonly role: string | null;
  readonly action: ColumnAction['kind'];
}

/** A disclosure plan as JSON: `kReached` is null when no unit is kept (the plan says Infinity). */
export type DisclosurePlanJson = Omit<DisclosurePlan, 'kReached'> & {
  readonly kReached: number | null;
};

export type DisclosureAudit =
  | {
      readonly applied: true;
      readonly quasiIdentifiers: readonly QuasiIdentifier[];
      readonly learnerColumn: string | null;
      readonly courseColumn: string | null;
      readonly plan: DisclosurePlanJson;
      /** True when the file was written below k because `allowBelowK` was given. */
      readonly belowK: boolean;
    }
  | { readonly applied: false; readonly reason: string };

export interface FileAudit {
  readonly input: string;
  /** The file written (in the output folder). */
  readonly output: string;
  /** The data dictionary read, or null for a CSV without one (columns from the options). */
  readonly dictionary: string | null;
  readonly rowsRead: number;
  readonly rowsWritten: number;
  readonly rowsSuppressed: number;
  readonly columns: readonly ColumnAudit[];
  readonly dropped: readonly string[];
  readonly disclosure: DisclosureAudit;
}

export interface AnonymisationAudit {
  readonly tool: '@edx-data/anonymizer';
  readonly createdAt: string;
  /** The key that made the pseudonyms, by fingerprint (a SHA-256 of it, cut; never the key). */
  readonly key: { readonly fingerprint: string };
  /** The learner directory, when one was given: learners known. */
  readonly directory: { readonly learners: number } | null;
  readonly options: {
    readonly k: number;
    readonly quasiIdentifiers: readonly QuasiIdentifier[] | 'default';
    readonly maxSuppression: number | null;
    readonly allowBelowK: boolean;
    readonly shiftDays: number;
    readonly scrub: 'placeholder' | 'fake';
    readonly nameParts: boolean;
  };
  readonly files: readonly FileAudit[];
  /** The smallest k reached over the files with quasi-identifiers; null when none had any. */
  readonly kReached: number | null;
  readonly seconds: number;
}
