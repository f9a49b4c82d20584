import { createServer } from 'node:net';
import { StoreError, UsageError } from '@edx-data/core';
import { mongoTestUri } from '@edx-data/test-support';
import { describe, expect, it } from 'vitest';
import { openMongoStore } from './mongo-store.js';

/** A port on 127.0.0.1 with nothing listening (it was free a moment ago). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** Every message and stack in an error's cause chain. */
function allText(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 10; depth += 1) {
    parts.push(current.message, current.stack ?? '');
    current = current.cause;
  }
  return parts.join('\n');
}

describe(openMongoStore, () => {
  it('fails fast with E_STORE_UNREACHABLE and never shows the password', async () => {
    const port = await closedPort();
    const started = Date.now();
    const err = await rejection(
      openMongoStore(`mongodb://reader:s3cr%3Et-pw@127.0.0.1:${port}/?authSource=admin`, {
        serverSelectionTimeoutMS: 500,
      }),
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'E_STORE_UNREACHABLE' });
    const message = (err as Error).message;
    expect(message).toContain(`cannot reach MongoDB at mongodb://reader:***@127.0.0.1:${port}/`);
    expect(message).toContain('(gave up after 0.5 s)');
    expect((err as Error).cause).toBeInstanceOf(Error);
    expect(allText(err)).not.toContain('s3cr');
  });

  it('refuses a URI the driver cannot parse with E_STORE_URI, without the password', async () => {
    const err = await rejection(
      openMongoStore('mongodb://reader:hunter22@127.0.0.1:1/?notAnOption=1&replicaSet=', {
        serverSelectionTimeoutMS: 500,
      }),
    );
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toMatchObject({ code: 'E_STORE_URI' });
    expect(allText(err)).not.toContain('hunter22');
  });

  const uri = mongoTestUri();
  it.skipIf(uri === undefined)(
    'opens MONGODB_URI, reports the engine, and refuses use after close',
    async () => {
      const store = await openMongoStore(uri ?? '', { serverSelectionTimeoutMS: 5000 });
      expect(store.engine).toBe('mongodb');
      expect(store.location).toBe(uri);
      const dbs = await store.listDatabases();
      expect(dbs.map((db) => db.name)).not.toContain('admin');
      await store.close();
      await store.close();
      const err = await rejection(store.listDatabases());
      expect(err).toMatchObject({ code: 'E_STORE_CLOSED' });
      const cursorErr = await rejection(store.db('x').collection('y').find().toArray());
      expect(cursorErr).toMatchObject({ code: 'E_STORE_CLOSED' });
    },
  );
});
