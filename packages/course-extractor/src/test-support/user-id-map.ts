import { openInput } from '@edx-data/core';
import { parseSqlDump } from '@edx-data/edx-sql-parser';
import type { Collection, Document } from '@edx-data/store';

/**
 * Load a package's `user_id_map` file into `collection` as the table importer stores it (rows
 * parsed by @edx-data/edx-sql-parser, `_id` = position in the file).
 */
export async function loadUserIdMap(path: string, collection: Collection): Promise<void> {
  const input = await openInput(path);
  let position = 0;
  const rows = parseSqlDump(input.stream, { file: path, table: 'user_id_map' });
  async function* docs(): AsyncGenerator<Document> {
    for await (const row of rows) yield { _id: ++position, ...row.values };
  }
  await collection.insertMany(docs());
  await input.done;
}
