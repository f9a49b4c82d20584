// Child process of the kill test: inserts 200,000 documents in batches of 1,000 through the
// built store (dist), printing the number of each batch it starts to fill. The parent kills
// it with SIGKILL somewhere in the middle. With a third argument `unordered`, the batches are
// unordered inserts, which the embedded engine writes on its writer thread. The lines are
// written synchronously (stdout is a pipe: synchronous on Linux), so a line printed before
// the kill always reaches the parent: the test's bounds rest on that.
import { openStore } from '@edx-data/store';

const [location, dbName, mode] = process.argv.slice(2);
const store = await openStore(location);
const collection = store.db(dbName).collection('events');

async function* documents() {
  for (let batch = 0; batch < 200; batch++) {
    process.stdout.write(`batch ${batch}\n`);
    for (let i = 0; i < 1000; i++) {
      yield {
        _id: `${batch}-${i}`,
        batch,
        i,
        payload: 'x'.repeat(600),
        time: new Date(Date.UTC(2024, 0, 1, 0, 0, batch)),
      };
    }
  }
}

const result = await collection.insertMany(documents(), {
  batchSize: 1000,
  ordered: mode !== 'unordered',
});
process.stdout.write(`done ${result.insertedCount}\n`);
await store.close();
