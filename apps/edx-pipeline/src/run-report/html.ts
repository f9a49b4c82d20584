/** Text and number helpers of the run report's HTML and SVG. Pure. */
import { formatCount } from '../text-table.js';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** `text` safe inside an element or a double- or single-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/gu, (c) => ESCAPES[c] ?? c);
}

/** Seconds with up to three decimals and thousands separators: `1234.5` → `1,234.5`. */
export function formatSeconds(seconds: number): string {
  return seconds.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** A duration for people: `12.3 s`, `4 min 05 s`, `2 h 03 min`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toLocaleString('en-US', { maximumFractionDigits: 1 })} s`;
  const whole = Math.round(seconds);
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (whole < 3600) return `${String(Math.floor(whole / 60))} min ${pad(whole % 60)} s`;
  return `${formatCount(Math.floor(whole / 3600))} h ${pad(Math.floor(whole / 60) % 60)} min`;
}

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of a UTC day number (days since 1970-01-01). */
export function dayText(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
