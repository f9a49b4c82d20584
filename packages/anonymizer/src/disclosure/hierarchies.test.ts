import { describe, expect, it } from 'vitest';
import { countryPlace } from './country-regions.js';
import { generaliseCourseSet, valueHierarchy, yearBand } from './hierarchies.js';
import type { ValueHierarchy } from './hierarchies.js';

function levels(name: string, value: string): string[] {
  const hierarchy = valueHierarchy(name) as ValueHierarchy;
  return hierarchy.levelNames.map((_, level) => hierarchy.generalise(value, level));
}

describe(countryPlace, () => {
  it('finds a country by alpha-2, alpha-3 or name, in any case', () => {
    const canada = { code: 'CA', subRegion: 'Northern America', region: 'Americas' };
    expect(countryPlace('CA')).toEqual(canada);
    expect(countryPlace('can')).toEqual(canada);
    expect(countryPlace(' Canada ')).toEqual(canada);
    expect(countryPlace('United States of America')?.code).toBe('US');
  });

  it('places countries in their UN M49 sub-region and region', () => {
    expect(countryPlace('BR')).toEqual({
      code: 'BR',
      subRegion: 'Latin America and the Caribbean',
      region: 'Americas',
    });
    expect(countryPlace('NG')).toEqual({
      code: 'NG',
      subRegion: 'Sub-Saharan Africa',
      region: 'Africa',
    });
    expect(countryPlace('IN')?.subRegion).toBe('Southern Asia');
    expect(countryPlace('FR')?.subRegion).toBe('Western Europe');
    expect(countryPlace('NZ')?.subRegion).toBe('Australia and New Zealand');
  });

  it('places the codes M49 does not list (Taiwan, Kosovo) and Antarctica', () => {
    expect(countryPlace('TW')).toEqual({ code: 'TW', subRegion: 'Eastern Asia', region: 'Asia' });
    expect(countryPlace('XK')).toEqual({
      code: 'XK',
      subRegion: 'Southern Europe',
      region: 'Europe',
    });
    expect(countryPlace('AQ')).toEqual({
      code: 'AQ',
      subRegion: 'Antarctica',
      region: 'Antarctica',
    });
  });

  it('knows nothing of other values', () => {
    expect(countryPlace('')).toBeUndefined();
    expect(countryPlace('Narnia')).toBeUndefined();
    expect(countryPlace('ZZ')).toBeUndefined();
  });
});

describe('country hierarchy', () => {
  it('goes as found → code → sub-region → continent → *', () => {
    expect(levels('country', 'mexico')).toEqual([
      'mexico',
      'MX',
      'Latin America and the Caribbean',
      'Americas',
      '*',
    ]);
  });

  it('keeps empty empty and an unknown value as itself, then unknown', () => {
    expect(levels('country', '')).toEqual(['', '', '', '', '*']);
    expect(levels('country', 'Narnia ')).toEqual(['Narnia ', 'Narnia', 'unknown', 'unknown', '*']);
    const country = valueHierarchy('country') as ValueHierarchy;
    expect([
      country.recognises('Narnia'),
      country.recognises('de'),
      country.recognises(''),
    ]).toEqual([false, true, true]);
  });
});

describe('birth_year hierarchy', () => {
  it('goes year → 5 → 10 → 20-year band → *', () => {
    expect(levels('birth_year', '1987')).toEqual([
      '1987',
      '1985-1989',
      '1980-1989',
      '1980-1999',
      '*',
    ]);
    expect(levels('birth_year', '1960')).toEqual([
      '1960',
      '1960-1964',
      '1960-1969',
      '1960-1979',
      '*',
    ]);
    expect(levels('birth_year', '2004')).toEqual([
      '2004',
      '2000-2004',
      '2000-2009',
      '2000-2019',
      '*',
    ]);
  });

  it('keeps empty empty and makes a non-year unknown', () => {
    expect(levels('birth_year', '')).toEqual(['', '', '', '', '*']);
    expect(levels('birth_year', '87')).toEqual(['87', 'unknown', 'unknown', 'unknown', '*']);
    expect((valueHierarchy('birth_year') as ValueHierarchy).recognises('NULL')).toBe(false);
  });

  it('bands any year', () => {
    expect(yearBand(1999, 5)).toBe('1995-1999');
    expect(yearBand(2000, 20)).toBe('2000-2019');
  });
});

describe('education hierarchy', () => {
  it('groups the edX codes', () => {
    const group = (code: string): string => levels('education', code)[1] ?? '';
    expect(['p', 'p_se', 'p_oth', 'm', 'b', 'a'].map(group)).toEqual(Array(6).fill('tertiary'));
    expect(['hs', 'jhs', 'el'].map(group)).toEqual(['school', 'school', 'school']);
    expect(['none', 'other', '', 'phd'].map(group)).toEqual(['none', 'other', '', 'unknown']);
    expect(levels('education', 'm')).toEqual(['m', 'tertiary', '*']);
  });
});

describe('gender and suppress_only hierarchies', () => {
  it('go value → *', () => {
    expect(levels('gender', 'f')).toEqual(['f', '*']);
    expect(levels('gender', '')).toEqual(['', '*']);
    expect(levels('suppress_only', 'verified')).toEqual(['verified', '*']);
  });

  it('does not know course_set or other names as value hierarchies', () => {
    expect(valueHierarchy('course_set')).toBeUndefined();
    expect(valueHierarchy('zip')).toBeUndefined();
  });
});

describe(generaliseCourseSet, () => {
  it('goes set → count → band → *', () => {
    const set = ['A', 'B', 'C'];
    expect([0, 1, 2, 3].map((level) => generaliseCourseSet(set, level))).toEqual([
      'A|B|C',
      '3',
      '2-4',
      '*',
    ]);
  });

  it('bands 1, 2-4, 5+ (and 0)', () => {
    const band = (n: number): string =>
      generaliseCourseSet(
        Array.from({ length: n }, (_, i) => `c${i}`),
        2,
      );
    expect([0, 1, 2, 4, 5, 9].map(band)).toEqual(['0', '1', '2-4', '2-4', '5+', '5+']);
  });
});
