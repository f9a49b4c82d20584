/** `forum_word_counts`: the words learners used most in the forum (the word-cloud question). */
import { COURSE_COLLECTIONS, UsageError } from '@edx-data/core';
import type { QueryReport, ReportContext, Row } from '../report.js';
import { ENGLISH_STOP_WORDS } from './english-stop-words.js';

const URL = /(?:\bhttps?:\/\/|\bwww\.)\S*/giu;
const WORD = /\p{L}[\p{L}\p{M}\p{N}]*(?:['’][\p{L}\p{M}\p{N}]+)*/gu;
const IGNORED: ReadonlySet<string> = new Set(['http', 'https']);

/** Length of a text in code points (an accented letter in NFC form is one). */
function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xdc00 || unit > 0xdfff) n++; // not the second half of a pair
  }
  return n;
}

/** The words of a text, in the report's sense (see its definition). */
function wordsOf(text: string, minLength: number): string[] {
  const out: string[] = [];
  const clean = text.normalize('NFC').replace(URL, ' ');
  for (const match of clean.matchAll(WORD)) {
    const word = match[0].toLowerCase().replace(/’/gu, "'");
    if (codePoints(word) < minLength) continue;
    if (ENGLISH_STOP_WORDS.has(word) || IGNORED.has(word)) continue;
    out.push(word);
  }
  return out;
}

function positiveInteger(context: ReportContext, name: string, fallback: number): number {
  const value = context.params[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(
      'E_OPTION',
      `forum_word_counts: ${name} must be a whole number ≥ 1, got ${String(value)}`,
    );
  }
  return value;
}

export const forumWordCounts: QueryReport = {
  kind: 'query',
  name: 'forum_word_counts',
  question: 'Which words do forum posts use most (the forum word cloud, as a table)?',
  version: '1',
  parameters: [
    { name: 'top', type: 'integer', description: 'How many words to list', default: 1000 },
    {
      name: 'min_length',
      type: 'integer',
      description: 'Shortest word counted, in characters',
      default: 3,
    },
  ],
  reads: [COURSE_COLLECTIONS.forum],
  columns: [
    { name: 'word', type: 'string', description: 'The word, lower case (accents kept)' },
    { name: 'count', type: 'integer', description: 'Times it occurs in the posts’ bodies' },
    { name: 'posts', type: 'integer', description: 'Posts whose body contains it' },
  ],
  definition: [
    'Reads the `body` of every document of the course’s `forum` collection (threads,',
    'responses and comments; titles are not counted, as before). Each body is put in Unicode',
    'NFC form; URLs (`http://…`, `https://…`, `www.…` up to the next space) are removed; a word',
    'is a letter followed by letters, combining marks or digits, with inner apostrophes',
    "(`’` read as `'`) — so `évident`, `très`, `naïve` and `l'été` stay whole — lower-cased",
    'with the Unicode default (no locale). Left out: words shorter than `min_length`',
    'characters (code points; default 3, as before), `http`/`https`, and the 179 English stop',
    'words of NLTK’s `stopwords` corpus. `count` is every occurrence, `posts` the documents',
    'that contain the word at least once. The `top` words (default 1000) by `count`, ties by',
    '`posts` then word (code-unit order).',
  ].join('\n'),
  changes: [
    'The McGill `forum_body_extraction_for_word_cloud.py` printed each word repeated `count`',
    'times for wordle.net; here the counts are a table, with the number of posts as well. Its',
    'NLTK tokenizer and ASCII output broke accented words (`très` → `trs`) and its punctuation',
    'stripping left URL pieces; here words are Unicode letters and URLs are dropped. Same stop',
    'words, same minimum length (tokens of 2 characters or fewer dropped), same top 1000, now',
    'parameters. Words with an apostrophe are kept instead of dropped.',
  ].join('\n'),
  async *rows(context: ReportContext): AsyncGenerator<Row> {
    const top = positiveInteger(context, 'top', 1000);
    const minLength = positiveInteger(context, 'min_length', 3);
    const counts = new Map<string, { count: number; posts: number }>();
    const forum = context.db.collection(COURSE_COLLECTIONS.forum);
    for await (const doc of forum.find({}, { projection: { body: 1 } })) {
      const body = doc['body'];
      if (typeof body !== 'string') continue;
      const seen = new Set<string>();
      for (const word of wordsOf(body, minLength)) {
        const found = counts.get(word) ?? { count: 0, posts: 0 };
        found.count += 1;
        if (!seen.has(word)) {
          seen.add(word);
          found.posts += 1;
        }
        counts.set(word, found);
      }
    }
    const rows = [...counts].map(([word, { count, posts }]) => ({ word, count, posts }));
    rows.sort(
      (a, b) =>
        b.count - a.count || b.posts - a.posts || (a.word < b.word ? -1 : a.word > b.word ? 1 : 0),
    );
    yield* rows.slice(0, top);
  },
};
