/**
 * Calendar days in an IANA time zone, as UTC instants: where a day starts, with daylight-saving
 * changes handled (a day can be 23 or 25 hours long, and midnight can be skipped or repeated).
 * Pure functions over `Intl`, no I/O.
 */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/**
 * The canonical name of an IANA time zone (`europe/paris` → `Europe/Paris`), or null when
 * `Intl` does not know it.
 */
export function canonicalTimeZone(timeZone: string): string | null {
  if (timeZone.trim() === '') return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** The offset of `timeZone` from UTC at instant `t` (ms since 1970), in ms (east positive). */
export function timeZoneOffset(timeZone: string, t: number): number {
  const seconds = Math.floor(t / 1000) * 1000;
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(seconds)) parts[part.type] = part.value;
  let year = Number(parts['year']);
  if (parts['era'] === 'BC' || parts['era'] === 'B') year = 1 - year;
  const wall = Date.UTC(
    year,
    Number(parts['month']) - 1,
    Number(parts['day']),
    Number(parts['hour']),
    Number(parts['minute']),
    Number(parts['second']),
  );
  return wall - seconds;
}

/**
 * The first instant of the calendar day `year-month-day` in `timeZone` (a valid IANA name):
 * local midnight, or, on a day whose midnight is skipped by a clock change, the instant the
 * clocks jump; when midnight happens twice, the first one.
 *
 * @example startOfDay(2024, 3, 31, 'Europe/Paris') // 2024-03-30T23:00:00.000Z
 */
export function startOfDay(year: number, month: number, day: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day);
  // No zone changes its offset twice within four days.
  const before = timeZoneOffset(timeZone, wall - 2 * DAY_MS);
  const after = timeZoneOffset(timeZone, wall + 2 * DAY_MS);
  const valid = [before, after]
    .map((offset) => wall - offset)
    .filter((t) => timeZoneOffset(timeZone, t) === wall - t);
  if (valid.length > 0) return new Date(Math.min(...valid));
  // Midnight does not exist that day: the day starts when the clocks jump over it.
  let lo = wall - Math.max(before, after); // still the day before
  let hi = wall - Math.min(before, after); // already that day
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid + timeZoneOffset(timeZone, mid) >= wall) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

/** `YYYY-MM-DD` → its numbers, or null when it is not a real calendar day. */
export function parseDay(text: string): { year: number; month: number; day: number } | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1) return null;
  if (date.getUTCDate() !== day) return null;
  return { year, month, day };
}

/**
 * The UTC bounds of the days `first` to `last` (both `YYYY-MM-DD`, both included) in
 * `timeZone`: `from` is the start of `first`, `toExclusive` the start of the day after `last`.
 * The caller checks the dates first ({@link parseDay}).
 */
export function dayRange(
  first: string,
  last: string,
  timeZone: string,
): { from: Date; toExclusive: Date } {
  const a = parseDay(first);
  const b = parseDay(last);
  if (a === null || b === null) throw new RangeError(`not a day: ${a === null ? first : last}`);
  const next = new Date(Date.UTC(b.year, b.month - 1, b.day + 1));
  return {
    from: startOfDay(a.year, a.month, a.day, timeZone),
    toExclusive: startOfDay(
      next.getUTCFullYear(),
      next.getUTCMonth() + 1,
      next.getUTCDate(),
      timeZone,
    ),
  };
}
