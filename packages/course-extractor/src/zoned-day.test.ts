import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, dayRange, parseDay, startOfDay, timeZoneOffset } from './zoned-day.js';

describe(startOfDay, () => {
  it('gives local midnight as a UTC instant, east and west of Greenwich', () => {
    expect(startOfDay(2024, 3, 31, 'Europe/Paris').toISOString()).toBe('2024-03-30T23:00:00.000Z');
    expect(startOfDay(2024, 4, 1, 'Europe/Paris').toISOString()).toBe('2024-03-31T22:00:00.000Z');
    expect(startOfDay(2024, 1, 1, 'Asia/Kolkata').toISOString()).toBe('2023-12-31T18:30:00.000Z');
    expect(startOfDay(2024, 1, 1, 'UTC').toISOString()).toBe('2024-01-01T00:00:00.000Z');
  });

  it('starts a day whose midnight is skipped at the jump (Havana, 2014-03-09)', () => {
    expect(startOfDay(2014, 3, 9, 'America/Havana').toISOString()).toBe('2014-03-09T05:00:00.000Z');
  });
});

describe(dayRange, () => {
  it('has 23 hours on the day the clocks go forward and 25 when they go back', () => {
    const spring = dayRange('2024-03-31', '2024-03-31', 'Europe/Paris');
    expect(spring.toExclusive.getTime() - spring.from.getTime()).toBe(23 * 3_600_000);
    const autumn = dayRange('2024-10-27', '2024-10-27', 'Europe/Paris');
    expect(autumn.toExclusive.getTime() - autumn.from.getTime()).toBe(25 * 3_600_000);
    // Southern hemisphere: Sydney goes back on the first Sunday of April.
    const sydney = dayRange('2024-04-07', '2024-04-07', 'Australia/Sydney');
    expect(sydney.toExclusive.getTime() - sydney.from.getTime()).toBe(25 * 3_600_000);
  });

  it('crosses month and year ends', () => {
    const range = dayRange('2023-12-31', '2024-02-29', 'UTC');
    expect(range.from.toISOString()).toBe('2023-12-31T00:00:00.000Z');
    expect(range.toExclusive.toISOString()).toBe('2024-03-01T00:00:00.000Z');
  });
});

describe(parseDay, () => {
  it('takes real calendar days only', () => {
    expect(parseDay('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseDay('2023-02-29')).toBeNull();
    expect(parseDay('2024-2-01')).toBeNull();
    expect(parseDay('2024-02-01T00:00')).toBeNull();
  });
});

describe(canonicalTimeZone, () => {
  it('knows IANA names and refuses others', () => {
    expect(canonicalTimeZone('europe/paris')).toBe('Europe/Paris');
    expect(canonicalTimeZone('Mars/Olympus')).toBeNull();
    expect(canonicalTimeZone('')).toBeNull();
    expect(timeZoneOffset('America/Montreal', Date.UTC(2024, 6, 1))).toBe(-4 * 3_600_000);
  });
});
