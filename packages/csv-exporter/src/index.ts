/**
 * @edx-data/csv-exporter: The research report catalogue, written as CSV with a data dictionary and manifest.
 *
 * Not implemented yet: this package is planned in a later issue (see README.md). It is
 * private until then, so it cannot be published empty.
 */
export {};
