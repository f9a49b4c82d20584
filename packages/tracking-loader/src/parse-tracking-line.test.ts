import { createHash } from 'node:crypto';
import { jsonSourceOf } from '@edx-data/core';
import { ObjectId } from '@edx-data/store';
import { describe, expect, it } from 'vitest';
import { parseEventTime, parseTrackingLine } from './parse-tracking-line.js';
import type { ParsedTrackingLine, RejectedLine, TrackingEvent } from './parse-tracking-line.js';

const loadDate = new Date('2024-02-01T00:00:00Z');
const ctx = { file: 'x.log', line: 7, loadDate };

function ev(result: ParsedTrackingLine): TrackingEvent {
  if (result.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  return result.event;
}

function rej(result: ParsedTrackingLine): RejectedLine {
  if (result.kind !== 'rejected') throw new Error(`expected a reject, got ${result.kind}`);
  return result.rejected;
}

const T = '"time": "2014-05-02T16:02:25.143912+00:00"';
/** The expected `_id` (as hex): 1399046545 = 2014-05-02T16:02:25Z in seconds, then SHA-1. */
const idOf = (s: string, seconds = 1399046545): string =>
  seconds.toString(16).padStart(8, '0') + createHash('sha1').update(s).digest('hex').slice(0, 16);

describe('parseEventTime', () => {
  it.each([
    ['2014-05-02T16:02:25.143912+00:00', '2014-05-02T16:02:25.143Z'],
    ['2014-05-02T16:02:25+00:00', '2014-05-02T16:02:25.000Z'],
    ['2013-06-08T22:52:37.563104', '2013-06-08T22:52:37.563Z'],
    ['2013-06-08T22:52:37', '2013-06-08T22:52:37.000Z'],
    ['2013-06-08T22:52:37.5Z', '2013-06-08T22:52:37.500Z'],
    ['2013-06-08T22:52:37.56Z', '2013-06-08T22:52:37.560Z'],
    ['2013-06-08 22:52:37.563104+00:00', '2013-06-08T22:52:37.563Z'],
    ['2013-06-08T22:52:37+02:00', '2013-06-08T20:52:37.000Z'],
    ['2013-06-08T22:52:37-0130', '2013-06-09T00:22:37.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ])('%s → %s', (text, iso) => {
    expect(parseEventTime(text)?.toISOString()).toBe(iso);
  });

  it.each([
    [undefined],
    [null],
    [1_400_000_000],
    [''],
    ['2014-05-02'],
    ['2014-05-02T16:02'],
    ['2014-05-02T16:02:25.1234567+00:00'],
    ['2014-02-30T00:00:00Z'],
    ['2023-02-29T00:00:00Z'],
    ['2014-13-01T00:00:00Z'],
    ['2014-05-02T24:00:00Z'],
    ['2014-05-02T16:02:25+00:00 '],
    ['2014-05-02T16:02:25+25:00'],
  ])('rejects %j', (value) => {
    expect(parseEventTime(value)).toBeNull();
  });
});

describe('parseTrackingLine', () => {
  it('keeps every original field and adds the normalised ones', () => {
    const text = `{"username": "ann", "event_type": "edx.course.enrollment.activated", "event": {"course_id": "course-v1:A+B+C", "mode": "audit"}, ${T}, "context": {"course_id": "A/B/C", "user_id": 4}}`;
    const e = ev(parseTrackingLine(text, ctx));
    expect(e).toEqual({
      username: 'ann',
      event_type: 'edx.course.enrollment.activated',
      event: { course_id: 'course-v1:A+B+C', mode: 'audit' },
      time: '2014-05-02T16:02:25.143912+00:00',
      context: { course_id: 'A/B/C', user_id: 4 },
      _id: new ObjectId(idOf(text)),
      _time: new Date('2014-05-02T16:02:25.143Z'),
      _course_id: 'course-v1:A+B+C',
      _course_id_legacy: 'A/B/C',
      _course_id_source: 'context',
      _load_file: 'x.log',
      _load_line: 7,
      _load_date: loadDate,
    });
  });

  it('gives null course fields when there is no course', () => {
    const e = ev(parseTrackingLine(`{"event_type": "/dashboard", "event": "", ${T}}`, ctx));
    expect([e._course_id, e._course_id_legacy, e._course_id_source]).toEqual([null, null, null]);
    expect(e.event).toBe('');
    expect(e._event_unparsed).toBeUndefined();
  });

  it('finds the course in the page URL when context is missing', () => {
    const text = `{"event_type": "seq_goto", "event_source": "browser", "page": "https://courses.edx.org/courses/course-v1:McGillX+ATOC185x+2T2014/courseware/x/", "event": "{\\"old\\":1,\\"new\\":2}", ${T}}`;
    const e = ev(parseTrackingLine(text, ctx));
    expect(e._course_id).toBe('course-v1:McGillX+ATOC185x+2T2014');
    expect(e._course_id_legacy).toBe('McGillX/ATOC185x/2T2014');
    expect(e._course_id_source).toBe('page');
    expect(e.event).toEqual({ old: 1, new: 2 });
    expect(e._event_decoded).toBe(true);
  });

  it('strips a logging prefix and keeps it in _prefix; the _id hashes the whole line', () => {
    const prefix =
      '2023-05-23 13:53:13,461 INFO 20 [tracking] [user None] [ip None] logger.py:41 - ';
    const text = `${prefix}{"event_type": "x", ${T}}`;
    const e = ev(parseTrackingLine(text, ctx));
    expect(e.event_type).toBe('x');
    expect(e._prefix).toBe(prefix);
    expect(e._id.toHexString()).toBe(idOf(text));
  });

  it('strips a trailing comma and whitespace (ELAT JSON-array lines) and a trailing CR', () => {
    const base = `{"event_type": "x", ${T}}`;
    for (const text of [`${base},`, `${base} , \t`, `${base}  `, `${base},\r`]) {
      const e = ev(parseTrackingLine(text, ctx));
      expect(e.event_type).toBe('x');
      expect(e._prefix).toBeUndefined();
    }
    expect(ev(parseTrackingLine(`${base}\r`, ctx))._id.toHexString()).toBe(idOf(base));
    expect(ev(parseTrackingLine(`${base},`, ctx))._id.toHexString()).toBe(idOf(`${base},`));
  });

  it('skips blank and # comment lines', () => {
    for (const text of ['', '   ', '\t\r', '# a comment', '  # {"not": "json"}']) {
      expect(parseTrackingLine(text, ctx)).toEqual({ kind: 'blank' });
    }
  });

  it('rejects lines that hold no JSON object, with their raw text', () => {
    expect(rej(parseTrackingLine('hello', ctx))).toEqual({
      file: 'x.log',
      line: 7,
      reason: 'not-object',
      detail: 'no "{" on the line',
      raw: 'hello',
    });
    expect(rej(parseTrackingLine('[1, 2]', ctx)).reason).toBe('not-object');
    const cut = `{"event_type": "x", ${T}, "event": {"a": `;
    const r = rej(parseTrackingLine(cut, ctx));
    expect(r.reason).toBe('not-json');
    expect(r.raw).toBe(cut);
    expect(rej(parseTrackingLine(`{"a": 1},,`, ctx)).reason).toBe('not-json');
    expect(rej(parseTrackingLine(`prefix {"a": 1} trailing`, ctx)).reason).toBe('not-json');
  });

  it('rejects events without a parsable time (bad-time)', () => {
    const missing = rej(parseTrackingLine('{"event_type": "x"}', ctx));
    expect([missing.reason, missing.detail]).toEqual(['bad-time', 'time missing']);
    const bad = rej(parseTrackingLine('{"event_type": "x", "time": "yesterday"}', ctx));
    expect([bad.reason, bad.detail]).toEqual(['bad-time', 'time "yesterday"']);
  });

  it('rejects objects that already have an added field name (reserved-field)', () => {
    const r = rej(parseTrackingLine(`{"_id": "abc", ${T}}`, ctx));
    expect([r.reason, r.detail]).toEqual(['reserved-field', 'the line has a field "_id"']);
    expect(rej(parseTrackingLine(`{"_course_id": null, ${T}}`, ctx)).reason).toBe('reserved-field');
    expect(rej(parseTrackingLine(`{"\\u005fid": 1, ${T}}`, ctx)).reason).toBe('reserved-field');
    expect(rej(parseTrackingLine(`{"\\u005Ftime": 1, ${T}}`, ctx)).reason).toBe('reserved-field');
    // Other fields starting with `_` are fine.
    expect(ev(parseTrackingLine(`{"_other": 1, ${T}}`, ctx))['_other']).toBe(1);
  });

  describe('event', () => {
    const line = (event: unknown): TrackingEvent =>
      ev(parseTrackingLine(`{"event_type": "e", "event": ${JSON.stringify(event)}, ${T}}`, ctx));

    it('decodes a JSON object or list string in place', () => {
      const e = line('{"code": "rar--CzJKrY", "currentTime": 0}');
      expect(e.event).toEqual({ code: 'rar--CzJKrY', currentTime: 0 });
      expect(e._event_decoded).toBe(true);
      const l = line('["input_1=2", "<p>html</p>"]');
      expect(l.event).toEqual(['input_1=2', '<p>html</p>']);
      expect(line('{}').event).toEqual({});
    });

    it('keeps a string cut at 512 characters as is, flagged _event_truncated', () => {
      const full = JSON.stringify({ GET: {}, POST: { text: ['x'.repeat(600)] } });
      const cut = full.slice(0, 512);
      const e = line(cut);
      expect(e.event).toBe(cut);
      expect(e._event_truncated).toBe(true);
      expect(e._event_decoded).toBeUndefined();
      expect(e._event_unparsed).toBeUndefined();
    });

    it('keeps other non-JSON strings as is, flagged _event_unparsed', () => {
      const form =
        'input_i4x-edX-E929-problem-466b_2_1=3.14&input_i4x-edX-E929-problem-466b_3_1=4500';
      for (const s of [form, JSON.stringify(form), '{"cut": "at 100', 'null', 'plain']) {
        const e = line(s);
        expect(e.event).toBe(s);
        expect(e._event_unparsed).toBe(true);
        expect(e._event_truncated).toBeUndefined();
      }
    });

    it('leaves objects, lists, null, empty and missing events alone, with no flag', () => {
      for (const v of [{ a: 1 }, [1, 'two'], null, '', 3]) {
        const e = line(v);
        expect(e.event).toEqual(v);
        expect([e._event_decoded, e._event_truncated, e._event_unparsed]).toEqual([
          undefined,
          undefined,
          undefined,
        ]);
      }
      expect('event' in ev(parseTrackingLine(`{${T}}`, ctx))).toBe(false);
    });
  });

  it('gives identical lines identical _ids, and different lines different ones', () => {
    const a = `{"event_type": "a", ${T}}`;
    const b = `{"event_type": "b", ${T}}`;
    const id = (t: string, line: number): string =>
      ev(parseTrackingLine(t, { ...ctx, line }))._id.toHexString();
    expect(id(a, 1)).toBe(id(a, 2));
    expect(id(a, 1)).not.toBe(id(b, 1));
    expect(id(a, 1)).toMatch(/^[0-9a-f]{24}$/);
  });

  it('puts the time first in the _id, so that ids sort by time (clamped to 1970–2106)', () => {
    const at = (time: string): string =>
      ev(parseTrackingLine(`{"time": "${time}"}`, ctx))._id.toHexString();
    expect(at('2014-05-02T16:02:25Z')).toBe(idOf('{"time": "2014-05-02T16:02:25Z"}'));
    expect(at('2014-05-02T16:02:25.999Z').slice(0, 8)).toBe('5363c191');
    expect(at('2014-05-02T16:02:26Z') > at('2014-05-02T16:02:25.999Z')).toBe(true);
    expect(at('1969-12-31T23:59:59Z').slice(0, 8)).toBe('00000000');
    expect(at('2200-01-01T00:00:00Z').slice(0, 8)).toBe('ffffffff');
    expect(
      ev(parseTrackingLine(`{"time": "2014-05-02T16:02:25Z"}`, ctx))._id.getTimestamp(),
    ).toEqual(new Date('2014-05-02T16:02:25Z'));
  });
});

describe('the JSON source of an event', () => {
  /** What a reader of the source rebuilds: `JSON.parse(text)`, then the listed fields set. */
  function rebuilt(event: TrackingEvent): Record<string, unknown> {
    const source = jsonSourceOf(event);
    if (source === undefined) throw new Error('no JSON source');
    const doc = JSON.parse(source.text) as Record<string, unknown>;
    for (const field of source.fields) doc[field] = (event as Record<string, unknown>)[field];
    return doc;
  }

  it.each([
    [
      'a plain server event',
      `{"event_type":"x",${T},"event":{"a":1},"context":{"course_id":"course-v1:A+B+C"}}`,
    ],
    [
      'a browser event whose event is JSON text',
      `{"event_type":"play_video",${T},"event":"{\\"id\\":\\"v\\"}"}`,
    ],
    ['an event cut at 512 characters', `{"event_type":"x",${T},"event":"{${'a'.repeat(511)}"}`],
    ['a form body', `{"event_type":"problem_check",${T},"event":"input_1=2"}`],
    [
      'a line with a logging prefix and a trailing comma',
      `2014-05-02 host: {"event_type":"x",${T}} ,`,
    ],
  ])('rebuilds %s exactly, in the same field order', (_, line) => {
    const event = ev(parseTrackingLine(line, ctx));
    const doc = rebuilt(event);
    expect(Object.keys(doc)).toEqual(Object.keys(event));
    expect(doc).toEqual({ ...event });
  });
});
