/**
 * @edx-data/course-extractor: Course structure (parent_data chain, course axis) and course-specific tracking extraction.
 *
 * Not implemented yet: this package is planned in 5 and 7 (see README.md). It is
 * private until then, so it cannot be published empty.
 */
export {};
