export { EdxDataError, InputError, StoreError, UsageError, isEdxDataError } from './errors.js';
export type { EdxDataErrorOptions, ErrorCode, ErrorPosition } from './errors.js';
export { redactSecrets, redactUri } from './redact.js';
