/**
 * Generalising direct identifiers: an IP address becomes its country, a year of birth its
 * 5-year band, a date or time moves by a per-learner number of days. Pure functions; the
 * IP → country table is given (see `geoip.ts`).
 */

import { yearBand } from './disclosure/index.js';

/** An IP → ISO 3166 alpha-2 lookup; null when the address is unknown (private, reserved, bad). */
export type CountryLookup = (ip: string) => string | null;

/** The country of an IP address (ISO 3166 alpha-2), or '' when unknown. */
export function ipToCountry(ip: string, lookup: CountryLookup): string {
  const address = ip.trim();
  if (address === '') return '';
  // (a list of addresses, as X-Forwarded-For: the first is the client)
  const first = address.split(',')[0]?.trim() ?? '';
  return lookup(first) ?? '';
}

/**
 * The 5-year band of a year of birth: `1962` → `1960-1964` (bands start at years ending in 0
 * or 5, as the disclosure hierarchy's first level). '' stays ''; a value that is not a year
 * (already a band, `*`) is returned as is.
 */
export function birthYearBand(value: string): string {
  const match = /^\s*(\d{4})(?:\.0+)?\s*$/u.exec(value);
  return match?.[1] === undefined ? value.trim() : yearBand(Number(match[1]), 5);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/u;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/u;
const DAY_MS = 86_400_000;

/**
 * A date (`YYYY-MM-DD`) or an ISO 8601 time moved by `days` whole days, in the form it came
 * in (a time is written back as ISO 8601 UTC with milliseconds, as the exporter writes it).
 * Returns null for a value that is neither (the caller counts it); '' stays ''.
 */
export function shiftDate(value: string, days: number): string | null {
  const text = value.trim();
  if (text === '') return '';
  if (DATE.test(text)) {
    const time = Date.parse(`${text}T00:00:00Z`);
    if (Number.isNaN(time)) return null;
    return new Date(time + days * DAY_MS).toISOString().slice(0, 10);
  }
  if (DATE_TIME.test(text)) {
    const time = Date.parse(text.replace(' ', 'T'));
    if (Number.isNaN(time)) return null;
    return new Date(time + days * DAY_MS).toISOString();
  }
  return null;
}

/**
 * True for a `location` column at country level (kept, and a quasi-identifier); any other
 * location column (`city`, a mailing address) is dropped.
 */
export function isCountryColumn(name: string): boolean {
  return /(^|_)(country|cc)(_|$)/iu.test(name);
}
