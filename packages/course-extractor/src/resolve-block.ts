/**
 * Which block of the course structure a tracking event happened in: an index of the
 * `course_structure` documents, and the lookup from an event's `event.id`,
 * `event.problem_id`, `context.module.usage_key`, or courseware URL. Pure functions, no I/O.
 */
import type { ParentData } from './build-course-structure.js';
import { parseUsageKey } from './usage-key.js';

/** What a tracking event gets of its block. */
export interface EventBlock {
  /** The usage key (the `_id` of the block in `course_structure`). */
  readonly id: string;
  readonly category: string;
  readonly display_name: string | null;
}

/** A block as the index keeps it. */
export interface IndexedBlock {
  readonly block: EventBlock;
  readonly parent_data: ParentData;
  /** Usage keys of the children, in order. */
  readonly children: readonly string[];
}

/** The fields of a `course_structure` document the index reads. */
export interface StructureBlockFields {
  readonly _id: unknown;
  readonly block_id?: unknown;
  readonly category?: unknown;
  readonly display_name?: unknown;
  readonly children?: unknown;
  readonly parent_data?: unknown;
}

/** The blocks of one course, by usage key and by short block id. */
export interface BlockIndex {
  readonly size: number;
  readonly byKey: ReadonlyMap<string, IndexedBlock>;
  /** Short id → blocks with that id (i4x ids are unique per category only). */
  readonly byShortId: ReadonlyMap<string, readonly IndexedBlock[]>;
}

/** Index `course_structure` documents (bounded by the size of the structure). */
export function indexBlocks(blocks: Iterable<StructureBlockFields>): BlockIndex {
  const byKey = new Map<string, IndexedBlock>();
  const byShortId = new Map<string, IndexedBlock[]>();
  for (const doc of blocks) {
    if (typeof doc._id !== 'string') continue;
    const parsed = parseUsageKey(doc._id);
    const category = typeof doc.category === 'string' ? doc.category : (parsed.category ?? '');
    const indexed: IndexedBlock = {
      block: {
        id: doc._id,
        category,
        display_name: typeof doc.display_name === 'string' ? doc.display_name : null,
      },
      parent_data:
        typeof doc.parent_data === 'object' && doc.parent_data !== null ? doc.parent_data : {},
      children: Array.isArray(doc.children)
        ? doc.children.filter((c): c is string => typeof c === 'string')
        : [],
    };
    byKey.set(doc._id, indexed);
    const shortId = typeof doc.block_id === 'string' ? doc.block_id : parsed.blockId;
    const list = byShortId.get(shortId);
    if (list === undefined) byShortId.set(shortId, [indexed]);
    else list.push(indexed);
  }
  return { size: byKey.size, byKey, byShortId };
}

function byShort(
  index: BlockIndex,
  shortId: string,
  category: string | undefined,
): IndexedBlock | undefined {
  const found = index.byShortId.get(shortId);
  if (found === undefined) return undefined;
  if (category !== undefined) return found.find((b) => b.block.category === category);
  return found.length === 1 ? found[0] : undefined;
}

/** `i4x-Org-Course-category-name`, the id of old browser video events. */
const I4X_DASHED = /^i4x-.+-([a-z_]+)-([^-]+)$/u;
/** A short block id: no separators of a key or a URL. */
const SHORT_ID = /^[\w.~-]+$/u;

/**
 * The block a reference names: a usage key in either form (`block-v1:…`, `i4x://…`, also of
 * another run of the course, matched by its short id and category), the dashed
 * `i4x-Org-Course-video-<id>` form, or a bare short block id.
 */
export function lookupBlock(index: BlockIndex, reference: string): IndexedBlock | undefined {
  const exact = index.byKey.get(reference);
  if (exact !== undefined) return exact;
  if (reference.startsWith('block-v1:') || reference.startsWith('i4x://')) {
    const parsed = parseUsageKey(reference);
    return byShort(index, parsed.blockId, parsed.category);
  }
  const dashed = I4X_DASHED.exec(reference);
  if (dashed !== null) return byShort(index, dashed[2] ?? '', dashed[1]);
  return SHORT_ID.test(reference) ? byShort(index, reference, undefined) : undefined;
}

function segmentsOf(url: string): string[] {
  let path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/iu, '');
  const cut = path.search(/[?#]/u);
  if (cut >= 0) path = path.slice(0, cut);
  return path.split('/').map((segment) => {
    if (!segment.includes('%')) return segment;
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  });
}

/**
 * The block of a course URL: `/courses/<course>/courseware/<chapter>/<sequential>/<n>` → the
 * `n`th child (1-based) of the sequential, or the sequential itself without `n` (or past its
 * last child), or the chapter without a sequential; `/courses/<course>/xblock/<usage key>/…`
 * and `/courses/<course>/jump_to/<usage key>` → that block.
 */
export function lookupUrlBlock(index: BlockIndex, url: string): IndexedBlock | undefined {
  if (!url.includes('/courses/')) return undefined;
  // Events repeat the same few pages: remember the answers (bounded).
  let cache = urlCache.get(index);
  if (cache === undefined) {
    cache = new Map<string, IndexedBlock | null>();
    urlCache.set(index, cache);
  }
  const cached = cache.get(url);
  if (cached !== undefined) return cached ?? undefined;
  if (cache.size >= MAX_CACHED_URLS) cache.clear();
  const found = urlBlock(index, url);
  cache.set(url, found ?? null);
  return found;
}

const MAX_CACHED_URLS = 50_000;
const urlCache = new WeakMap<BlockIndex, Map<string, IndexedBlock | null>>();

function urlBlock(index: BlockIndex, url: string): IndexedBlock | undefined {
  const segments = segmentsOf(url);
  const courseware = segments.indexOf('courseware');
  if (courseware >= 0) {
    const chapter = segments[courseware + 1];
    const sequential = segments[courseware + 2];
    if (sequential === undefined || sequential === '') {
      return chapter === undefined || chapter === ''
        ? undefined
        : byShort(index, chapter, 'chapter');
    }
    const seq = byShort(index, sequential, 'sequential') ?? byShort(index, sequential, undefined);
    if (seq === undefined) return undefined;
    const position = segments[courseware + 3];
    if (position !== undefined && /^\d+$/u.test(position)) {
      const child = seq.children[Number(position) - 1];
      const found = child === undefined ? undefined : index.byKey.get(child);
      if (found !== undefined) return found;
    }
    return seq;
  }
  for (const marker of ['xblock', 'jump_to']) {
    const at = segments.indexOf(marker);
    const key = at >= 0 ? segments[at + 1] : undefined;
    if (key !== undefined && key !== '') {
      const found = lookupBlock(index, key);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function payloadOf(event: Record<string, unknown>): Record<string, unknown> | undefined {
  const payload = event['event'];
  if (isRecord(payload)) return payload;
  // A JSON string is decoded only when it can name a block (not `{"POST": {}, "GET": {}}`).
  if (typeof payload === 'string' && payload.startsWith('{') && payload.includes('id"')) {
    try {
      const decoded: unknown = JSON.parse(payload);
      return isRecord(decoded) ? decoded : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The block a tracking event happened in, tried in order: `event.id`, `event.problem_id`,
 * `context.module.usage_key`, then the courseware URL in `event_type` (implicit server
 * events) and in `page` (browser events). Undefined when none names a block of the index.
 */
export function resolveEventBlock(
  index: BlockIndex,
  event: Readonly<Record<string, unknown>>,
): IndexedBlock | undefined {
  const payload = payloadOf(event);
  if (payload !== undefined) {
    for (const field of ['id', 'problem_id']) {
      const reference = payload[field];
      if (typeof reference === 'string' && reference !== '') {
        const found = lookupBlock(index, reference);
        if (found !== undefined) return found;
      }
    }
  }
  const context = event['context'];
  const module = isRecord(context) ? context['module'] : undefined;
  const usageKey = isRecord(module) ? module['usage_key'] : undefined;
  if (typeof usageKey === 'string' && usageKey !== '') {
    const found = lookupBlock(index, usageKey);
    if (found !== undefined) return found;
  }
  for (const field of ['event_type', 'page']) {
    const url = event[field];
    if (typeof url === 'string') {
      const found = lookupUrlBlock(index, url);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
