export {
  environmentHas,
  MissingEnvironmentError,
  noteSkip,
  parseFlag,
  STRICT,
  strictFrom,
} from './environment.js';
export {
  HAS_REALDATA,
  PIPELINE_FIXTURES,
  PIPELINE_INPUT,
  PIPELINE_STATE_INPUT,
  REALDATA,
} from './realdata.js';
export { chromiumProblem, decodePng, hasChromium, screenshot } from './chromium.js';
export type { Pixels, ScreenshotOptions } from './chromium.js';
export { createGpgHome, createTestGpg, gpgProblem, hasGpg, tamperLastByte } from './gpg.js';
export type {
  EncryptOptions,
  GenerateKeyOptions,
  GpgHome,
  GpgKey,
  GpgKeyType,
  TestGpg,
} from './gpg.js';
export { hasMariaDb, mariaDbProblem, startMariaDb } from './mariadb.js';
export type { MariaDb } from './mariadb.js';
export { mongoTestUri } from './mongodb.js';
export {
  detectFerretDb,
  embeddedEngine,
  mongoEngine,
  runPrefix,
  testEngines,
} from './store-engines.js';
export type { ClosableStore, TestEngine } from './store-engines.js';
