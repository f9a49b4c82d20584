/**
 * @edx-data/edx-sql-parser: Typed rows from edX data-package tables (.sql files that are really TSV) and real mysqldump files.
 *
 * Not implemented yet: this package is planned in 4 (see README.md). It is
 * private until then, so it cannot be published empty.
 */
export {};
