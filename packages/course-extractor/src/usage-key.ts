/**
 * Usage keys of course blocks, in both forms found in `course_structure` files
 * (edx-formats.md §4). Pure functions, no I/O.
 */

/** What a usage key says about its block. */
export interface ParsedUsageKey {
  /** The short block id: what follows `block@`, or the last `/` segment of an `i4x://` key. */
  readonly blockId: string;
  /** The block type named in the key, when the key names one. */
  readonly category: string | undefined;
  readonly org: string | undefined;
  readonly course: string | undefined;
  /** The run: known for `block-v1:` keys, and for the `i4x://…/course/<run>` root only. */
  readonly run: string | undefined;
}

const BLOCK_V1 = /^block-v1:([^+]+)\+([^+]+)\+([^+]+)\+(?:.*\+)?type@([^+]+)\+block@(.+)$/u;
const I4X = /^i4x:\/\/([^/]+)\/([^/]+)\/([^/]+)\/(.+)$/u;

/**
 * Read a usage key: `block-v1:Org+Course+Run+type@x+block@y` or `i4x://Org/Course/x/y`.
 * Anything else keeps its last `/`-, `@`-free segment as block id and tells nothing more.
 */
export function parseUsageKey(key: string): ParsedUsageKey {
  const v1 = BLOCK_V1.exec(key);
  if (v1 !== null) {
    return {
      blockId: v1[5] ?? key,
      category: v1[4],
      org: v1[1],
      course: v1[2],
      run: v1[3],
    };
  }
  const i4x = I4X.exec(key);
  if (i4x !== null) {
    const name = i4x[4] ?? key;
    const blockId = name.split('/').at(-1) ?? name;
    return {
      blockId,
      category: i4x[3],
      org: i4x[1],
      course: i4x[2],
      run: i4x[3] === 'course' ? blockId : undefined,
    };
  }
  const last = key.split(/[/@]/u).at(-1);
  return {
    blockId: last === undefined || last === '' ? key : last,
    category: undefined,
    org: undefined,
    course: undefined,
    run: undefined,
  };
}
