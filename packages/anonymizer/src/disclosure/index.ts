export { DisclosureControl } from './disclosure-control.js';
export type { DisclosurePlan } from './disclosure-control.js';
export { countryPlace } from './country-regions.js';
export type { CountryPlace } from './country-regions.js';
export { COURSE_SET_LEVELS, generaliseCourseSet, valueHierarchy, yearBand } from './hierarchies.js';
export type { HierarchyName, ValueHierarchy } from './hierarchies.js';
export { DEFAULT_MAX_SUPPRESSION } from './options.js';
export type { DisclosureOptions, QuasiIdentifier } from './options.js';
