/**
 * @edx-data/forum-importer: The edX forum .mongo export (mongoexport extended JSON) as typed posts.
 *
 * Not implemented yet: this package is planned in 5 (see README.md). It is
 * private until then, so it cannot be published empty.
 */
export {};
