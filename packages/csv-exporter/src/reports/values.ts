/** Small readers of stored values that many reports share. */
import type { Document } from '@edx-data/store';

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const DAY_MS = 86_400_000;
let cachedDayStart = Number.NaN;
let cachedDay = '';

/**
 * The UTC day of a time, `YYYY-MM-DD`. The last day is kept, so that the events of a learner's
 * day (consecutive in the pass) do not each build a string.
 */
export function utcDay(time: Date): string {
  const ms = time.getTime();
  if (ms >= cachedDayStart && ms < cachedDayStart + DAY_MS) return cachedDay;
  cachedDayStart = Math.floor(ms / DAY_MS) * DAY_MS;
  cachedDay = new Date(cachedDayStart).toISOString().slice(0, 10);
  return cachedDay;
}

/** A user id from a number, a digit string or a Long; null otherwise. */
export function userIdOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/u.test(value)) return Number(value);
  if (typeof value === 'object' && value !== null && 'toNumber' in value) {
    const n = (value as { toNumber(): number }).toNumber();
    return Number.isSafeInteger(n) ? n : null;
  }
  return null;
}

/** A finite number from a number or a numeric string (`"0.84"`, `"1.50"`); null otherwise. */
export function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/**
 * Payloads already parsed, by event: the tracking reports of one pass see the same event
 * object, so a browser event's JSON string is parsed once, not once per report.
 */
const parsedPayloads = new WeakMap<Document, Record<string, unknown>>();

/** The `event` field of a tracking event as an object (browser events carry a JSON string). */
export function payloadOf(event: Document): Record<string, unknown> {
  const payload = event['event'];
  if (typeof payload === 'object' && payload !== null && !Array.isArray(payload)) {
    return payload as Record<string, unknown>;
  }
  if (typeof payload !== 'string' || !payload.startsWith('{')) return {};
  const known = parsedPayloads.get(event);
  if (known !== undefined) return known;
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(payload);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      parsed = value as Record<string, unknown>;
    }
  } catch {
    // a cut string (edX truncates browser events at 512 characters): no payload
  }
  parsedPayloads.set(event, parsed);
  return parsed;
}

/** The learner's user id of a tracking event (`context.user_id`), or null. */
export function eventUserId(event: Document): number | null {
  const context = event['context'];
  if (typeof context !== 'object' || context === null) return null;
  return userIdOf((context as Record<string, unknown>)['user_id']);
}

/** The event's time as the loader stored it (`_time`, UTC). */
export function eventTime(event: Document): Date | null {
  const time = event['_time'];
  return time instanceof Date ? time : null;
}

/** The place columns of an event, from the `parent_data` extraction added (empty when none). */
export function placeOf(event: Document): Record<string, unknown> {
  const parent = event['parent_data'];
  const p =
    typeof parent === 'object' && parent !== null ? (parent as Record<string, unknown>) : {};
  return {
    chapter_id: p['chapter_id'] ?? null,
    chapter_name: p['chapter_display_name'] ?? null,
    sequential_id: p['sequential_id'] ?? null,
    sequential_name: p['sequential_display_name'] ?? null,
    vertical_id: p['vertical_id'] ?? null,
    vertical_name: p['vertical_display_name'] ?? null,
  };
}
