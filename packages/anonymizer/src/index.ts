/**
 * @edx-data/anonymizer: Keyed pseudonyms, PII scrubbing and disclosure control for shareable edX datasets.
 *
 * Not implemented yet: this package is planned in a later issue (see README.md). It is
 * private until then, so it cannot be published empty.
 */
export {};
