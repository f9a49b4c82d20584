/**
 * The ledger of `importPackage` (`PACKAGE_LEDGER` of `@edx-data/core`'s layout:
 * `tracking_logs.package_imported`): one entry per target, a course and the collection(s) one
 * package file fills, holding the SHA-256 of the file last loaded into it. A file whose bytes
 * and target match its entry, and whose collections are still in the store, need not be read
 * again.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PACKAGE_LEDGER } from '@edx-data/core';
import type { InputFile } from '@edx-data/core';
import type { Collection, Document, Store } from '@edx-data/store';

/** One target of the ledger: what was last loaded into it, and when. */
export interface PackageLedgerEntry extends Document {
  /** The target: the course (its canonical key, or `?<file name>` when the name gives none) and the collection or kind, joined by a space. */
  readonly _id: string;
  /**
   * SHA-256 (hex) of the file's bytes as stored (encrypted or not); for an entry of a zip
   * archive, of the archive's bytes followed by the entry's name.
   */
  readonly hash: string;
  /** The file it was loaded from (`archive.zip:entry` for a zip entry). */
  readonly path: string;
  readonly kind: string;
  readonly database: string;
  readonly collections: readonly string[];
  readonly rows: number;
  readonly rejected: number;
  readonly loaded: Date;
}

async function hashStream(path: string, extra?: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  if (extra !== undefined) hash.update(extra, 'utf8');
  return hash.digest('hex');
}

/** Reads and keeps what one `importPackage` call needs of the ledger and the store. */
export class PackageLedger {
  private readonly ledger: Collection<PackageLedgerEntry>;
  /** A zip archive's SHA-256, read once per call whatever the number of its entries. */
  private readonly archives = new Map<string, Promise<string>>();
  private readonly collections = new Map<string, Promise<ReadonlySet<string>>>();

  constructor(private readonly store: Store) {
    this.ledger = store.db(PACKAGE_LEDGER.database).collection(PACKAGE_LEDGER.collection);
  }

  /** The SHA-256 of a file's bytes (see {@link PackageLedgerEntry.hash}). */
  hash(file: InputFile): Promise<string> {
    if (file.zip === undefined) return hashStream(file.path);
    const { archive, entry } = file.zip;
    let archiveHash = this.archives.get(archive);
    if (archiveHash === undefined) {
      archiveHash = hashStream(archive);
      this.archives.set(archive, archiveHash);
    }
    return archiveHash.then((hex) =>
      createHash('sha256').update(`${hex}\u0000${entry}`).digest('hex'),
    );
  }

  /**
   * The entry of `target` when it says that `hash` was loaded into it and its collections are
   * all still in the store; else null.
   */
  async unchanged(target: string, hash: string): Promise<PackageLedgerEntry | null> {
    const entry = await this.ledger.findOne({ _id: target });
    if (entry?.hash !== hash) return null;
    let names = this.collections.get(entry.database);
    if (names === undefined) {
      names = this.store
        .db(entry.database)
        .listCollections()
        .then((list) => new Set(list.map((c) => c.name)));
      this.collections.set(entry.database, names);
    }
    const present = await names;
    return entry.collections.every((name) => present.has(name)) ? entry : null;
  }

  /** Record a file loaded into `entry._id`, replacing what the target held. */
  async record(entry: PackageLedgerEntry): Promise<void> {
    await this.ledger.replaceOne({ _id: entry._id }, entry, { upsert: true });
  }
}
