/**
 * @edx-data/tracking-loader: edX tracking logs into a master database: idempotent, resumable, nothing lost.
 *
 * Not implemented yet: this package is planned in 6 (see README.md). It is
 * private until then, so it cannot be published empty.
 */
export {};
