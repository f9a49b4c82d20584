/**
 * The scripts a user writes after installing one package of the toolkit alone, exactly as
 * `local-registry.test.ts` runs them in an empty folder (and as docs/reuse-one-parser.md
 * quotes them). Each takes its input path as its first argument and prints one JSON line.
 */

/** A package installed alone, and the script that uses it. */
export interface AloneScript {
  /** What the user installs: `npm install <install…>`. */
  readonly install: readonly string[];
  /** The script's file name (`.mjs`: ESM without a package.json `type`). */
  readonly file: string;
  readonly source: string;
}

/** `@edx-data/edx-sql-parser` alone: the rows of a table file (TSV `.sql` or mysqldump). */
export const SQL_PARSER_ALONE: AloneScript = {
  install: ['@edx-data/edx-sql-parser'],
  file: 'parse-table.mjs',
  source: `import { parseSqlDump } from '@edx-data/edx-sql-parser';

const rows = parseSqlDump(process.argv[2]); // a .sql table file: TSV or mysqldump, .gz, .gpg
const values = [];
for await (const row of rows) values.push(row.values);
console.log(JSON.stringify({ summary: rows.summary, values }));
`,
};

/** `@edx-data/tracking-loader` alone: the events of a tracking log, parsed without a store. */
export const TRACKING_LOADER_ALONE: AloneScript = {
  install: ['@edx-data/tracking-loader'],
  file: 'parse-log.mjs',
  source: `import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseTrackingLog } from '@edx-data/tracking-loader';

const file = process.argv[2]; // a tracking log, one JSON event a line
async function* numbered(lines) {
  let line = 0;
  for await (const text of lines) yield { line: ++line, text };
}
const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
const events = parseTrackingLog(numbered(lines), {
  file,
  onReject: (r) => console.error(\`\${r.file}:\${r.line} \${r.reason}\`),
});
const types = [];
for await (const event of events) types.push(event.event_type);
console.log(JSON.stringify({ summary: events.summary, types }));
`,
};

/**
 * `@edx-data/store` alone, with its embedded engine: better-sqlite3 is an optional peer
 * dependency that the user installs (packages/store/README.md).
 */
export const STORE_ALONE: AloneScript = {
  install: ['@edx-data/store', 'better-sqlite3'],
  file: 'store-events.mjs',
  source: `import { readFileSync } from 'node:fs';
import { openStore } from '@edx-data/store';

const store = await openStore(process.argv[3]); // a folder: the embedded engine (SQLite files)
const events = store.db('realdata').collection('events');
const lines = readFileSync(process.argv[2], 'utf8')
  .split('\\n')
  .filter((line) => line.startsWith('{'));
await events.insertMany(lines.map((line) => JSON.parse(line)));
console.log(
  JSON.stringify({
    engine: store.engine,
    events: await events.countDocuments(),
    usernames: (await events.distinct('username')).sort(),
  }),
);
await store.close();
`,
};
