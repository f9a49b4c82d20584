import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import { openInput } from './open-input.js';
import { readLines } from './read-lines.js';
import { writeZip } from './test-support/zip.js';
import { walkInputs } from './walk-inputs.js';
import { listZipEntries } from './zip-archive.js';

let dir: string;
let archive: string;
const table = 'id\tusername\n1\t0123\n2\tNULL\n';
const bigLog =
  Array.from({ length: 5000 }, (_, i) => JSON.stringify({ event_type: 'play_video', i })).join(
    '\n',
  ) + '\n';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edx-zip-'));
  archive = join(dir, 'mcgillx-2014-10-12.zip');
  await writeZip(archive, [
    {
      name: 'mcgillx-2014-10-12/McGillX-ATOC185x-2T2014-auth_user-prod-analytics.sql',
      data: Buffer.from(table),
    },
    {
      name: 'mcgillx-2014-10-12/ora/McGillX-ATOC185x-2T2014-submissions_submission-prod-analytics.sql',
      data: Buffer.from('id\n'),
      stored: true,
    },
    { name: 'mcgillx-2014-10-12/mcgillx-edx-events-2014-10-11.log.gz', data: gzipSync(bigLog) },
    { name: 'mcgillx-2014-10-12/.DS_Store', data: Buffer.from('x') },
  ]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe(listZipEntries, () => {
  it('lists the files of an archive with their sizes', async () => {
    const entries = await listZipEntries(archive);
    expect(entries.map((e) => e.name)).toEqual([
      'mcgillx-2014-10-12/McGillX-ATOC185x-2T2014-auth_user-prod-analytics.sql',
      'mcgillx-2014-10-12/ora/McGillX-ATOC185x-2T2014-submissions_submission-prod-analytics.sql',
      'mcgillx-2014-10-12/mcgillx-edx-events-2014-10-11.log.gz',
      'mcgillx-2014-10-12/.DS_Store',
    ]);
    expect(entries[0]?.size).toBe(table.length);
  });

  it('says which file is not a zip archive', async () => {
    const notZip = join(dir, 'not-a.zip');
    await writeFile(notZip, 'plain text, not a zip');
    const error: unknown = await listZipEntries(notZip).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/not a readable zip archive .* at .*not-a\.zip$/);
  });
});

describe('walkInputs and openInput over a weekly zip', () => {
  it('yields the classified entries of a zip met in a folder, and of a zip given directly', async () => {
    const fromFolder = [];
    for await (const file of walkInputs(dir)) if (file.zip) fromFolder.push(file);
    const direct = [];
    for await (const file of walkInputs(archive)) direct.push(file);
    expect(direct.map((f) => f.path)).toEqual(fromFolder.map((f) => f.path));
    expect(direct.map((f) => f.classification.kind)).toEqual(['table', 'table', 'events']);
    expect(direct[0]?.classification).toMatchObject({
      kind: 'table',
      table: 'auth_user',
      key: 'course-v1:McGillX+ATOC185x+2T2014',
    });
    expect(direct[1]?.classification).toMatchObject({
      kind: 'table',
      table: 'submissions_submission',
      ora: true,
    });
    expect(direct[2]?.zip).toEqual({
      archive,
      entry: 'mcgillx-2014-10-12/mcgillx-edx-events-2014-10-11.log.gz',
    });
  });

  it('streams an entry, gunzipping it, without unpacking the archive', async () => {
    const input = await openInput({
      archive,
      entry: 'mcgillx-2014-10-12/mcgillx-edx-events-2014-10-11.log.gz',
    });
    expect(input.layers).toEqual(['gzip']);
    const hash = createHash('sha256');
    let lines = 0;
    for await (const line of readLines(input.stream, { file: input.file })) {
      hash.update(line.text + '\n');
      lines++;
    }
    const verdict = await input.done;
    expect(lines).toBe(5000);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(bigLog).digest('hex'));
    expect(verdict.plaintextBytes).toBe(bigLog.length);
    expect(input.file).toBe(`${archive}:mcgillx-2014-10-12/mcgillx-edx-events-2014-10-11.log.gz`);
  });

  it('names the archive and entry when the entry does not exist', async () => {
    const error: unknown = await openInput({ archive, entry: 'nope.sql' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_FILE_NOT_FOUND' });
    expect((error as InputError).message).toContain('no entry nope.sql');
  });
});
