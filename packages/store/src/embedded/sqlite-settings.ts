/** SQLite settings shared by the calling thread's connection and the writer thread's. */

/**
 * Pages (4 KiB) in the WAL before a commit checkpoints it: ~400 MB. Bulk loads rewrite hot
 * index pages many times, and a checkpoint copies (and syncs) each page once however often it
 * changed since the last one (1M 1.5 KB rows with three indexes, raw better-sqlite3 with a
 * 16 MiB cache: 27k rows/s at 10,000 pages, 36k at 100,000).
 */
export const WAL_AUTOCHECKPOINT_PAGES = 100_000;

/** The WAL file is cut back to this size after a checkpoint. */
export const JOURNAL_SIZE_LIMIT_BYTES = 64 * 2 ** 20;
