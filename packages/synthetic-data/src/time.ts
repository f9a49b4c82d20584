/** Time formats of edX data, from microseconds since the epoch (UTC). */

const DAY_US = 86_400_000_000;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `YYYY-MM-DD` of a day number (days since 1970-01-01). */
export function dayString(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** The day number of `YYYY-MM-DD`. */
export function dayNumber(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
}

const dayCache = new Map<number, string>();

function datePart(us: number): string {
  const day = Math.floor(us / DAY_US);
  let text = dayCache.get(day);
  if (text === undefined) {
    text = dayString(day);
    dayCache.set(day, text);
  }
  return text;
}

function clock(us: number): { hms: string; micro: number } {
  const inDay = us - Math.floor(us / DAY_US) * DAY_US;
  const seconds = Math.floor(inDay / 1_000_000);
  const micro = inDay - seconds * 1_000_000;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return { hms: `${pad2(h)}:${pad2(m)}:${pad2(seconds % 60)}`, micro };
}

/**
 * Python `datetime.isoformat()`: `2014-05-02T16:02:25.143912+00:00`, without the fraction
 * when the microseconds are 0, and without the zone for a naive datetime.
 */
export function isoformat(us: number, naive = false): string {
  const { hms, micro } = clock(us);
  const fraction = micro === 0 ? '' : `.${String(micro).padStart(6, '0')}`;
  return `${datePart(us)}T${hms}${fraction}${naive ? '' : '+00:00'}`;
}

/** The SQL form: `2015-08-12 23:13:03` (with `.ffffff` when `fraction` and not 0). */
export function sqlDatetime(us: number, fraction = false): string {
  const { hms, micro } = clock(us);
  const tail = fraction && micro !== 0 ? `.${String(micro).padStart(6, '0')}` : '';
  return `${datePart(us)} ${hms}${tail}`;
}

/** Python logging's `asctime`: `2023-05-23 13:53:13,461`. */
export function loggingTime(us: number): string {
  const { hms, micro } = clock(us);
  return `${datePart(us)} ${hms},${String(Math.floor(micro / 1000)).padStart(3, '0')}`;
}

/** ISO with milliseconds and `Z`, as MongoDB extended JSON writes `$date`. */
export function mongoIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Microseconds in one day. */
export const DAY_MICROS = DAY_US;
