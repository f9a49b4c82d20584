/**
 * Free-text scrubbing (forum titles and bodies, survey answers): emails, phone numbers, URLs
 * that carry a user path, @mentions, and the names, usernames and emails of every learner
 * the directory knows are replaced by typed placeholders (`<EMAIL>`, `<PHONE>`, `<URL>`,
 * `<USERNAME>`, `<PERSON>`), or by what a {@link Replacer} returns (fake values). Pure.
 */
import type { Learner, LearnerDirectory } from './learner-directory.js';

/** What a replaced span was. */
export type ScrubKind = 'EMAIL' | 'PHONE' | 'URL' | 'USERNAME' | 'PERSON';

export const SCRUB_KINDS: readonly ScrubKind[] = ['EMAIL', 'PHONE', 'URL', 'USERNAME', 'PERSON'];

/**
 * The text put in place of a span: `kind`, the text replaced, and the learner it names when
 * the directory knows it (its canonical key, `id:1516`).
 */
export type Replacer = (kind: ScrubKind, original: string, subject: string | undefined) => string;

/** The default {@link Replacer}: `<EMAIL>`, `<PHONE>`, … */
export const placeholder: Replacer = (kind) => `<${kind}>`;

export interface ScrubberOptions {
  /** Learners whose names, usernames and emails are looked for in the text. */
  readonly directory?: LearnerDirectory | undefined;
  /** @default {@link placeholder} */
  readonly replace?: Replacer | undefined;
  /**
   * Also replace each part of a learner's name on its own (`Iris`, `Von`), not only the full
   * name. Safer (a first name alone may identify), at the price of words that happen to be
   * someone's name. @default true
   */
  readonly nameParts?: boolean | undefined;
}

/** Replacements made, by kind. */
export type ScrubCounts = Record<ScrubKind, number>;

export function emptyScrubCounts(): ScrubCounts {
  return { EMAIL: 0, PHONE: 0, URL: 0, USERNAME: 0, PERSON: 0 };
}

interface Known {
  readonly kind: ScrubKind;
  readonly subject: string;
}

const EMAIL = /[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
const URL = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/giu;
const USER_PATH =
  /\/(?:u|user|users|profile|profiles|learner|learners|account|accounts|people|student|students|member|members)\/[^/?#\s]+/iu;
const USER_QUERY = /[?&](?:user|user_?id|uid|username|student_?id|learner|email)=/iu;
const MENTION = /(?<![\p{L}\p{N}_.@])@[\p{L}\p{N}_][\p{L}\p{N}_.-]*/gu;
const PHONE = /(?<![\p{L}\p{N}_.])\+?\(?\d[\d\s().-]{6,}\d(?![\p{L}\p{N}_])/gu;
const TOKEN = /[\p{L}\p{M}\p{N}_.'+-]+/gu;
const EDGE_PUNCTUATION = /^[.'+_-]+|[.'+_-]+$/gu;
/** Most tokens a name may have. */
const MAX_NAME_TOKENS = 4;

function isPhone(text: string): boolean {
  const digits = text.replace(/\D/gu, '').length;
  if (digits < 8 || digits > 15) return false;
  if (/^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}/u.test(text)) return false; // a date
  if (/^\d+\.\d+$/u.test(text)) return false; // a decimal number
  return true;
}

export class Scrubber {
  readonly #known = new Map<string, Known>();
  readonly #replace: Replacer;
  readonly #learnerIds: ReadonlySet<string>;

  constructor(options: ScrubberOptions = {}) {
    this.#replace = options.replace ?? placeholder;
    const ids = new Set<string>();
    for (const learner of options.directory?.learners() ?? []) {
      this.#learn(learner, options.nameParts ?? true);
      if (learner.userId !== null) ids.add(learner.userId);
    }
    this.#learnerIds = ids;
  }

  #set(text: string, known: Known): void {
    const key = text.toLowerCase();
    // (a username wins over a name part that happens to be spelled the same)
    if (key.length < 2 || this.#known.get(key)?.kind === 'USERNAME') return;
    this.#known.set(key, known);
  }

  #learn(learner: Learner, nameParts: boolean): void {
    const subject = learner.key;
    for (const name of learner.names) {
      if (nameParts) {
        for (const part of name.split(' ')) {
          const trimmed = part.replace(EDGE_PUNCTUATION, '');
          if (trimmed.length >= 2) this.#set(trimmed, { kind: 'PERSON', subject });
        }
      }
      this.#set(name, { kind: 'PERSON', subject });
    }
    for (const email of learner.emails) this.#set(email, { kind: 'EMAIL', subject });
    if (learner.username !== null) this.#set(learner.username, { kind: 'USERNAME', subject });
  }

  /** True when `text` is a name, username or email of a known learner (any case). */
  isKnown(text: string): boolean {
    return this.#known.has(text.trim().toLowerCase());
  }

  /**
   * What a whole cell is when it is exactly a known username, email or full name, or a part
   * of a name of at least 3 letters (any case): a word of a word count, a value of a column
   * without a role. Undefined otherwise.
   */
  wholeCell(cell: string): { readonly kind: ScrubKind; readonly subject: string } | undefined {
    const text = cell.trim();
    const known = this.#known.get(text.toLowerCase());
    if (known === undefined || (known.kind === 'PERSON' && Array.from(text).length < 3))
      return undefined;
    return known;
  }

  /** A whole cell replaced (see {@link wholeCell}), or the cell as it is. */
  scrubWholeCell(cell: string, counts: ScrubCounts = emptyScrubCounts()): string {
    const known = this.wholeCell(cell);
    if (known === undefined) return cell;
    counts[known.kind] += 1;
    return this.#replace(known.kind, cell.trim(), known.subject);
  }

  /** The learner a name, username or email names, if known. */
  subjectOf(text: string): string | undefined {
    return this.#known.get(text.trim().toLowerCase())?.subject;
  }

  #urlIsPersonal(url: string): boolean {
    if (USER_PATH.test(url) || USER_QUERY.test(url)) return true;
    for (const segment of url.split(/[/?#&=]/u)) {
      if (segment === '') continue;
      if (this.#known.get(segment.toLowerCase())?.kind === 'USERNAME') return true;
      if (this.#learnerIds.has(segment)) return true;
    }
    return false;
  }

  /** Replace the names, usernames and emails of known learners, longest match first. */
  #replaceKnown(text: string, counts: ScrubCounts): string {
    if (this.#known.size === 0) return text;
    const tokens = [...text.matchAll(TOKEN)].map((m) => ({
      start: m.index,
      end: m.index + m[0].length,
    }));
    let out = '';
    let copied = 0;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      // (a token inside a placeholder is not a name)
      if (token !== undefined && text[token.start - 1] === '<' && text[token.end] === '>') continue;
      let matched: { end: number; known: Known; original: string; skip: number } | undefined;
      for (let n = Math.min(MAX_NAME_TOKENS, tokens.length - i); n >= 1 && !matched; n--) {
        const first = tokens[i];
        const last = tokens[i + n - 1];
        if (first === undefined || last === undefined) continue;
        const span = text.slice(first.start, last.end);
        if (n > 1 && /[^\p{L}\p{M}\p{N}\s_.'+-]/u.test(span)) continue;
        const candidates = n === 1 ? [span, span.replace(EDGE_PUNCTUATION, '')] : [span];
        for (const candidate of candidates) {
          const known = this.#known.get(candidate.replace(/\s+/gu, ' ').toLowerCase());
          if (known !== undefined && (n === 1 || known.kind === 'PERSON')) {
            const offset = span.indexOf(candidate);
            matched = {
              end: first.start + offset + candidate.length,
              known,
              original: candidate,
              skip: n - 1,
            };
            out += text.slice(copied, first.start + offset);
            break;
          }
        }
      }
      if (matched === undefined) continue;
      counts[matched.known.kind] += 1;
      out += this.#replace(matched.known.kind, matched.original, matched.known.subject);
      copied = matched.end;
      i += matched.skip;
    }
    return out + text.slice(copied);
  }

  /** The text scrubbed; `counts` (if given) gets one more per replacement, by kind. */
  scrub(text: string, counts: ScrubCounts = emptyScrubCounts()): string {
    if (text === '') return text;
    let out = text.replace(URL, (url) => {
      if (!this.#urlIsPersonal(url)) return url;
      counts.URL += 1;
      return this.#replace('URL', url, undefined);
    });
    out = out.replace(EMAIL, (email) => {
      counts.EMAIL += 1;
      return this.#replace('EMAIL', email, this.subjectOf(email));
    });
    out = this.#replaceKnown(out, counts);
    out = out.replace(MENTION, (mention) => {
      counts.USERNAME += 1;
      return this.#replace('USERNAME', mention.slice(1), this.subjectOf(mention.slice(1)));
    });
    out = out.replace(PHONE, (phone) => {
      if (!isPhone(phone)) return phone;
      counts.PHONE += 1;
      return this.#replace('PHONE', phone, undefined);
    });
    return out;
  }
}
