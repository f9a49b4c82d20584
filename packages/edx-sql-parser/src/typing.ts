/**
 * Typing one field's text by its column type. Pure and allocation-light: this runs once per
 * field of files with hundreds of millions of fields, so a bad value is returned (an
 * {@link InvalidValue}), never thrown.
 *
 * Decisions (edx-formats.md §2.1):
 * - `null` (the TSV field `NULL`, SQL NULL) is `null` for every type.
 * - An empty field stays `''` for `string` and `json` columns (Django stores `''` in optional
 *   text columns). For `int`, `number`, `bool`, `date` and `datetime` an empty field is
 *   invalid: MySQL cannot hold `''` there, so it is not silently turned into `null`.
 * - `int`: optional `-`, digits. Beyond ±2^53 the digits are kept as a string.
 * - `number`: decimal text (`0.84`, `-1`, `1e-5`), no `NaN`/`Infinity`.
 * - `bool`: `0`/`1` (`tinyint(1)`), also `true`/`false` in any case.
 * - `datetime`: `YYYY-MM-DD HH:MM:SS[.f…]` (or with `T`), read as UTC; the fraction is kept
 *   to the millisecond. `date`: `YYYY-MM-DD` at 00:00 UTC. Impossible dates (`2015-09-31`,
 *   MySQL's `0000-00-00`) and times (`24:00:00`) are invalid.
 * - Each {@link InvalidValue} says what kind of problem it is ({@link InvalidCellCode}):
 *   `empty` (`''` where MySQL cannot hold it), `out-of-range` (the right form, but no such
 *   day, time or boolean: `2015-09-31`, `25:00:00`, `2`), `malformed` (anything else).
 * - `json`: a JSON object or array is parsed; any other text (not JSON, or a JSON scalar) is
 *   kept as it is, never rejected.
 */
import type { ColumnType, InvalidCellCode, RowValue } from './types.js';

/** Why a field's text is not a value of its column type. */
export class InvalidValue {
  constructor(
    readonly reason: string,
    readonly code: InvalidCellCode = 'malformed',
  ) {}
}

const MAX_SHOWN = 40;

function shown(text: string): string {
  return JSON.stringify(text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text);
}

function invalid(what: string, text: string): InvalidValue {
  return text === ''
    ? new InvalidValue(`expected ${what}, got ""`, 'empty')
    : new InvalidValue(`expected ${what}, got ${shown(text)}`, 'malformed');
}

/** A value of the right form that cannot exist (`2015-09-31`, `25:00:00`, a boolean `2`). */
function outOfRange(what: string, text: string): InvalidValue {
  return new InvalidValue(`expected ${what}, got ${shown(text)} (out of range)`, 'out-of-range');
}

const ZERO = 48;
const NINE = 57;
const MINUS = 45;
const COLON = 58;
const DOT = 46;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function typeInt(text: string): RowValue | InvalidValue {
  const n = text.length;
  let i = text.charCodeAt(0) === MINUS ? 1 : 0;
  if (i === n) return invalid('an integer', text);
  if (n - i <= 15) {
    let value = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < ZERO || c > NINE) return invalid('an integer', text);
      value = value * 10 + (c - ZERO);
    }
    return text.charCodeAt(0) === MINUS ? -value : value;
  }
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) return invalid('an integer', text);
  }
  const big = BigInt(text);
  return big <= MAX_SAFE && big >= -MAX_SAFE ? Number(big) : text;
}

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** True for digits, optionally followed by a dot and digits (`1`, `0.84`): a subset of {@link NUMBER}. */
function isPlainDecimal(text: string): boolean {
  const n = text.length;
  let i = 0;
  let c = text.charCodeAt(0);
  while (c >= ZERO && c <= NINE) c = text.charCodeAt(++i);
  if (i === 0) return false;
  if (i === n) return true;
  if (c !== DOT) return false;
  for (i++; i < n; i++) {
    c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) return false;
  }
  return true;
}

function typeNumber(text: string): RowValue | InvalidValue {
  if (!isPlainDecimal(text) && !NUMBER.test(text)) return invalid('a number', text);
  return Number(text);
}

function isDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) return false;
  }
  return text.length > 0;
}

function typeBool(text: string): RowValue | InvalidValue {
  if (text === '0') return false;
  if (text === '1') return true;
  const lower = text.toLowerCase();
  if (lower === 'false') return false;
  if (lower === 'true') return true;
  return isDigits(text) ? outOfRange('0 or 1', text) : invalid('0 or 1', text);
}

/** The value of `length` digits at `at`, or -1. */
function digits(text: string, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i++) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) return -1;
    value = value * 10 + (c - ZERO);
  }
  return value;
}

/** The value of the 2 digits at `at` (within `text`), or -1. */
function digits2(text: string, at: number): number {
  const a = text.charCodeAt(at) - ZERO;
  const b = text.charCodeAt(at + 1) - ZERO;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DAY_MS = 86_400_000;

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

const lastDay = { key: -1, ms: 0 };

/** What {@link dayMs} returns for `YYYY-MM-DD` of a day that does not exist (`2015-09-31`). */
const NO_SUCH_DAY = Number.POSITIVE_INFINITY;

/**
 * Milliseconds of `YYYY-MM-DD` at the start of `text`; NaN when it is not of that form,
 * {@link NO_SUCH_DAY} when it is but the calendar has no such day.
 */
function dayMs(text: string): number {
  if (text.charCodeAt(4) !== MINUS || text.charCodeAt(7) !== MINUS) return NaN;
  const y = digits(text, 0, 4);
  const m = digits2(text, 5);
  const d = digits2(text, 8);
  if (y < 0 || m < 0 || d < 0) return NaN;
  if (m < 1 || m > 12 || d < 1) return NO_SUCH_DAY;
  // Rows often share a day: the last valid day is kept (the key fixes the result).
  const key = (y * 100 + m) * 100 + d;
  if (key === lastDay.key) return lastDay.ms;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const last = m === 2 && leap ? 29 : (MONTH_DAYS[m - 1] ?? 0);
  if (d > last) return NO_SUCH_DAY;
  const ms = daysFromCivil(y, m, d) * DAY_MS;
  lastDay.key = key;
  lastDay.ms = ms;
  return ms;
}

const DATE = 'a date YYYY-MM-DD';
const DATETIME = 'a datetime YYYY-MM-DD HH:MM:SS';

function typeDate(text: string): RowValue | InvalidValue {
  const ms = text.length === 10 ? dayMs(text) : NaN;
  if (Number.isNaN(ms)) return invalid(DATE, text);
  return ms === NO_SUCH_DAY ? outOfRange(DATE, text) : new Date(ms);
}

function typeDatetime(text: string): RowValue | InvalidValue {
  const n = text.length;
  const sep = text.charCodeAt(10);
  if (n < 19 || (sep !== 32 && sep !== 84) || text.charCodeAt(13) !== COLON) {
    return invalid(DATETIME, text);
  }
  const day = dayMs(text);
  const h = digits2(text, 11);
  const mi = digits2(text, 14);
  const s = digits2(text, 17);
  if (Number.isNaN(day) || text.charCodeAt(16) !== COLON || h < 0 || mi < 0 || s < 0) {
    return invalid(DATETIME, text);
  }
  let ms = 0;
  if (n > 19) {
    const fraction = n - 20;
    if (text.charCodeAt(19) !== DOT || fraction < 1 || fraction > 9) {
      return invalid(DATETIME, text);
    }
    const f = digits(text, 20, Math.min(fraction, 3));
    if (f < 0 || (fraction > 3 && digits(text, 23, fraction - 3) < 0)) {
      return invalid(DATETIME, text);
    }
    ms = fraction === 1 ? f * 100 : fraction === 2 ? f * 10 : f;
  }
  if (day === NO_SUCH_DAY || h > 23 || mi > 59 || s > 59) return outOfRange(DATETIME, text);
  return new Date(day + ((h * 60 + mi) * 60 + s) * 1000 + ms);
}

function typeJson(text: string): RowValue {
  const first = text.charCodeAt(0);
  // `{` or `[` (JSON objects and arrays); anything else stays text.
  if (first !== 123 && first !== 91) return text;
  try {
    return JSON.parse(text) as RowValue;
  } catch {
    return text;
  }
}

const EXPECTED: Readonly<Record<ColumnType, string>> = {
  int: 'an integer',
  number: 'a number',
  bool: '0 or 1',
  date: DATE,
  datetime: DATETIME,
  json: 'JSON',
  string: 'text',
};

/**
 * The value of a field's (already unescaped) text in a column of type `type`, or an
 * {@link InvalidValue} saying why it is not one. Never throws.
 *
 * @example typeValue('2015-08-12 23:13:03', 'datetime') // Date 2015-08-12T23:13:03.000Z
 * @example typeValue('', 'int') // InvalidValue { reason: 'expected an integer, got ""' }
 */
export function typeValue(text: string | null, type: ColumnType): RowValue | InvalidValue {
  if (text === null) return null;
  switch (type) {
    case 'string':
      return text;
    case 'json':
      return typeJson(text);
    default:
      if (text === '') return invalid(EXPECTED[type], text);
  }
  switch (type) {
    case 'int':
      return typeInt(text);
    case 'number':
      return typeNumber(text);
    case 'bool':
      return typeBool(text);
    case 'date':
      return typeDate(text);
    case 'datetime':
      return typeDatetime(text);
  }
}
