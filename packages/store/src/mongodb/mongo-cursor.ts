import type { AbstractCursor } from 'mongodb';
import type { Cursor } from '../types.js';
import { decodeDocument } from './bson-bridge.js';
import type { DecodeOptions } from './bson-bridge.js';
import { wrapError } from './mongo-errors.js';
import type { Redactor } from './mongo-errors.js';

/**
 * A store `Cursor` over a driver cursor of raw BSON documents, decoded with the ESM `bson`
 * (see bson-bridge.ts). The driver cursor is opened on first use (so a closed store fails on
 * iteration, as a `StoreError`), closed when iteration ends, breaks or throws, and every
 * driver error is wrapped.
 */
export class MongoCursor<T> implements Cursor<T> {
  readonly #open: () => AbstractCursor<Uint8Array>;
  readonly #decode: DecodeOptions;
  readonly #redactor: Redactor;
  readonly #what: string;
  #cursor: AbstractCursor<Uint8Array> | undefined;

  constructor(
    open: () => AbstractCursor<Uint8Array>,
    decode: DecodeOptions,
    redactor: Redactor,
    what: string,
  ) {
    this.#open = open;
    this.#decode = decode;
    this.#redactor = redactor;
    this.#what = what;
  }

  #driverCursor(): AbstractCursor<Uint8Array> {
    this.#cursor ??= this.#open();
    return this.#cursor;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    try {
      const cursor = this.#driverCursor();
      for (;;) {
        const raw = await cursor.next();
        if (raw === null) return;
        yield decodeDocument(raw, this.#decode) as T;
      }
    } catch (err) {
      throw wrapError(err, this.#redactor, this.#what);
    } finally {
      await this.close();
    }
  }

  async toArray(): Promise<T[]> {
    try {
      const raws = await this.#driverCursor().toArray();
      return raws.map((raw) => decodeDocument(raw, this.#decode) as T);
    } catch (err) {
      throw wrapError(err, this.#redactor, this.#what);
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    const cursor = this.#cursor;
    if (cursor === undefined || cursor.closed) return;
    try {
      await cursor.close();
    } catch {
      // closing is best effort: the server reaps idle cursors anyway
    }
  }
}
