/**
 * `json.dumps` as Python writes it with its defaults: `", "` and `": "` separators and
 * `ensure_ascii` (every non-ASCII UTF-16 unit as `\uXXXX`). edX wrote its tracking logs and
 * course structures this way.
 */

const NON_ASCII = /[\u0080-\uffff]/g;
/** Printable ASCII other than `"` and `\`: written as it is. */
const PLAIN = /^[ !#-[\]-~]*$/;

function escapeUnit(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** A JSON string literal, with non-ASCII characters escaped as Python does. */
export function pyString(text: string): string {
  if (PLAIN.test(text)) return `"${text}"`;
  return JSON.stringify(text).replace(NON_ASCII, escapeUnit);
}

/** Python's `json.dumps(value)`; `undefined` members are left out. */
export function pyDumps(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return pyString(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'NaN';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ', ';
          out += pyDumps(value[i]);
        }
        return `${out}]`;
      }
      let out = '{';
      let first = true;
      for (const key of Object.keys(value)) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        out += first ? '' : ', ';
        first = false;
        out += `${pyString(key)}: ${pyDumps(item)}`;
      }
      return `${out}}`;
    }
    default:
      return 'null';
  }
}

/** `json.dumps(value, indent=2, sort_keys=True)` (Python 3), as `dump_course_structure` writes. */
export function pyDumpsPretty(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return pyDumps(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item) => inner + pyDumpsPretty(item, inner));
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  if (keys.length === 0) return '{}';
  const items = keys.map((key) => `${inner}${pyString(key)}: ${pyDumpsPretty(record[key], inner)}`);
  return `{\n${items.join(',\n')}\n${indent}}`;
}
