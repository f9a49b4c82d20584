/** The MongoDB server that the MongoDB-engine suites run against. */
import { environmentHas, noteSkip, parseFlag } from './environment.js';

/**
 * `MONGODB_URI` (`npm test` starts a FerretDB test server and sets it), or undefined, and the
 * suite asking skips: on request with `EDX_TEST_MONGO=off`, or because no URI is set (printed
 * once per run; under CI that throws instead).
 *
 * ```ts
 * const uri = mongoTestUri();
 * describe.skipIf(uri === undefined)('… on the MongoDB engine', () => { … });
 * ```
 */
export function mongoTestUri(): string | undefined {
  if (parseFlag(process.env['EDX_TEST_MONGO']) === false) {
    noteSkip('MongoDB engine', 'EDX_TEST_MONGO=off');
    return undefined;
  }
  const uri = process.env['MONGODB_URI'];
  if (uri !== undefined && uri !== '') return uri;
  environmentHas(
    'MongoDB engine',
    'MONGODB_URI is not set (`npm test` starts a FerretDB test server and sets it)',
  );
  return undefined;
}
