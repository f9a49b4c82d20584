/**
 * Progress of a stage, as data (aesthetics.md §3 rule 6): every loader reports the bytes of
 * its input read so far through one callback shape.
 */

/** Reports progress: bytes read so far of the input as stored (ciphertext, compressed). */
export type ProgressCallback = (progress: Progress) => void;

/** One progress report. */
export interface Progress {
  /** The file being read, as given. */
  readonly file: string;
  /** Bytes of that file read so far, and its size. */
  readonly bytesRead: number;
  readonly totalBytes: number;
}
