/**
 * @edx-data/synthetic-data: A realistic synthetic edX data package with ground truth, for tests, benchmarks and the demo.
 *
 * Not implemented yet: this package is planned in 3 (see README.md). It is
 * private until then, so it cannot be published empty.
 */
export {};
