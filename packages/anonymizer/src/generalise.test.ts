import { describe, expect, it } from 'vitest';
import { birthYearBand, ipToCountry, isCountryColumn, shiftDate } from './generalise.js';
import { geoIpCountryLookup } from './geoip.js';

describe(ipToCountry, () => {
  const lookup = geoIpCountryLookup();
  it.each([
    ['8.8.8.8', 'US'],
    ['53.14.5.118', 'DE'],
    ['132.206.1.1', 'CA'],
    ['  8.8.8.8, 10.0.0.1', 'US'],
    ['10.0.0.1', ''],
    ['127.0.0.1', ''],
    ['not an address', ''],
    ['', ''],
  ])('%j is in %j', (ip, country) => {
    expect(ipToCountry(ip, lookup)).toBe(country);
  });
});

describe(birthYearBand, () => {
  it.each([
    ['1962', '1960-1964'],
    ['1965', '1965-1969'],
    ['1969', '1965-1969'],
    ['2000.0', '2000-2004'],
    ['', ''],
    ['1960-1964', '1960-1964'],
    ['*', '*'],
  ])('%j → %j', (year, band) => {
    expect(birthYearBand(year)).toBe(band);
  });
});

describe(shiftDate, () => {
  it.each([
    ['2024-01-08', 3, '2024-01-11'],
    ['2024-03-01', -1, '2024-02-29'],
    ['2024-01-09T11:11:33.863Z', -10, '2023-12-30T11:11:33.863Z'],
    ['2024-01-09 11:11:33', 1, '2024-01-10T11:11:33.000Z'],
    ['', 5, ''],
  ])('%j + %d days → %j', (value, days, expected) => {
    expect(shiftDate(value, days)).toBe(expected);
  });

  it('returns null for what is not a date', () => {
    expect(shiftDate('yesterday', 1)).toBeNull();
    expect(shiftDate('2024-02-30', 1)).toBe('2024-03-02');
  });
});

describe(isCountryColumn, () => {
  it.each([
    ['country', true],
    ['profile_country', true],
    ['cc_by_ip', true],
    ['country_code', true],
    ['city', false],
    ['mailing_address', false],
    ['accountant', false],
  ])('%j: %j', (name, expected) => {
    expect(isCountryColumn(name)).toBe(expected);
  });
});
