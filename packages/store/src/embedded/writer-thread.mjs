// The embedded engine's writer thread (bulk-writer.ts starts it): its own SQLite connection
// to one database file, writing the batches of large unordered inserts, each in one
// transaction, in the order they are sent.
//
// Hand-written ESM rather than TypeScript, so that the same file runs from the sources
// (Vitest) and from the build: tsconfig.lib.json compiles it with `allowJs`, which copies it
// beside bulk-writer.js in dist/embedded/, and `files` in package.json ships dist. Being a
// `.mjs` file, it is a module whatever flags the parent process was started with.
import { parentPort, workerData } from 'node:worker_threads';
import { deflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';

/** @type {import('better-sqlite3').Database | undefined} */
let db;
try {
  db = new Database(workerData.path, { fileMustExist: true });
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 30000');
  // 16 MiB: the thread writes the bulk of a load (8 MiB on the calling thread's connection).
  db.pragma('cache_size = -16384');
  db.pragma('temp_store = FILE');
  db.pragma(`wal_autocheckpoint = ${workerData.walAutocheckpoint}`);
  db.pragma(`journal_size_limit = ${workerData.journalSizeLimit}`);
} catch (error) {
  parentPort.postMessage({ id: -1, kind: 'error', code: error.code, message: error.message });
}

const statements = new Map();
const columnsOf = db?.prepare('SELECT col FROM _edx_columns WHERE tbl = ?').pluck();
const markNull = db?.prepare(
  'UPDATE _edx_columns SET has_null = 1 WHERE tbl = ? AND col = ? AND has_null = 0',
);

function insertStatement(table, columns) {
  const names = columns.map((column) => `, "${column}"`).join('');
  const marks = columns.map(() => ', ?').join('');
  const sql = `INSERT INTO "${table}" (id, doc${names}) VALUES (?, ?${marks}) ON CONFLICT DO NOTHING`;
  let statement = statements.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    statements.set(sql, statement);
  }
  return statement;
}

/**
 * Write a batch in one transaction: one flag per row (1 inserted, 0 refused as a duplicate),
 * or null when the table's key columns are not the batch's (an index appeared meanwhile).
 */
function write(batch) {
  return db
    .transaction(() => {
      const current = columnsOf.all(batch.table);
      if (
        current.length !== batch.columns.length ||
        current.some((column) => !batch.columns.includes(column))
      )
        return null;
      for (const column of batch.nullColumns) markNull.run(batch.table, column);
      const statement = insertStatement(batch.table, batch.columns);
      const n = batch.ids.length;
      const k = batch.columns.length;
      const inserted = new Uint8Array(n);
      const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
      const params = new Array(2 + k);
      for (let i = 0; i < n; i++) {
        params[0] = batch.ids[i];
        params[1] = bytes.subarray(batch.offsets[i], batch.offsets[i + 1]);
        for (let j = 0; j < k; j++) params[2 + j] = batch.keys[i * k + j];
        inserted[i] = statement.run(params).changes === 1 ? 1 : 0;
      }
      return inserted;
    })
    .immediate();
}

/**
 * Write a batch of documents into a bucketed collection (buckets.ts) in one transaction: each
 * `_id` claimed in the id table (a refused one is a duplicate: its record is not stored), the
 * records grouped by meta key and time window into buckets of at most `maxCount`, each bucket
 * deflated into one row. `ordered`: stop at the first duplicate (the documents before it are
 * written). One flag per document (1 inserted, 0 refused or not reached).
 */
function writeBuckets(batch) {
  return db
    .transaction(() => {
      const claim = db.prepare(
        `INSERT INTO "${batch.idTable}" (id) VALUES (?) ON CONFLICT DO NOTHING`,
      );
      const addBucket = db.prepare(
        `INSERT INTO "${batch.table}" (meta, tmin, tmax, n, payload) VALUES (?, ?, ?, ?, ?)`,
      );
      const n = batch.times.length;
      const idKeys = Buffer.from(batch.idKeys);
      const idOffsets = batch.idOffsets;
      const bytes = Buffer.from(batch.bytes);
      const offsets = batch.offsets;
      const inserted = new Uint8Array(n);
      const open = new Map();
      const full = [];
      for (let i = 0; i < n; i++) {
        const id = idKeys.toString('utf8', idOffsets[i], idOffsets[i + 1]);
        if (claim.run(id).changes !== 1) {
          if (batch.ordered) break;
          continue;
        }
        inserted[i] = 1;
        const time = batch.times[i];
        const meta = batch.metaKeys[batch.metaIndexes[i]];
        const key = `${meta === null ? '\u0001' : meta}\u0000${Math.floor(time / batch.spanMs)}`;
        let bucket = open.get(key);
        if (bucket === undefined) {
          bucket = { meta, tmin: time, tmax: time, records: [], size: 0 };
          open.set(key, bucket);
        }
        bucket.records.push(i);
        bucket.size += offsets[i + 1] - offsets[i] + 1;
        if (time < bucket.tmin) bucket.tmin = time;
        if (time > bucket.tmax) bucket.tmax = time;
        if (bucket.records.length >= batch.maxCount) {
          full.push(bucket);
          open.delete(key);
        }
      }
      for (const bucket of [...full, ...open.values()]) {
        // The bucket's records joined by `\n`, then deflated.
        const text = Buffer.allocUnsafe(bucket.size - 1);
        let at = 0;
        for (const i of bucket.records) {
          if (at > 0) text[at++] = 0x0a;
          at += bytes.copy(text, at, offsets[i], offsets[i + 1]);
        }
        const payload = deflateRawSync(text, { level: batch.level });
        addBucket.run(bucket.meta, bucket.tmin, bucket.tmax, bucket.records.length, payload);
      }
      return inserted;
    })
    .immediate();
}

parentPort.on('message', (message) => {
  if (message.kind === 'close') {
    try {
      db?.close();
    } finally {
      parentPort.postMessage({ id: message.id, kind: 'closed' });
    }
    return;
  }
  try {
    const inserted =
      message.kind === 'buckets' ? writeBuckets(message.batch) : write(message.batch);
    if (inserted === null) parentPort.postMessage({ id: message.id, kind: 'relayout' });
    else parentPort.postMessage({ id: message.id, kind: 'done', inserted }, [inserted.buffer]);
  } catch (error) {
    parentPort.postMessage({
      id: message.id,
      kind: 'error',
      code: error.code,
      message: error.message,
    });
  }
});
