import { UsageError } from '@edx-data/core';
import { describe, expect, it } from 'vitest';
import { parseTrackingLog } from './parse-tracking-log.js';
import type { RejectedLine, TrackingEvent } from './parse-tracking-line.js';

async function* linesOf(texts: readonly string[]): AsyncGenerator<{ line: number; text: string }> {
  for (const [i, text] of texts.entries()) {
    await Promise.resolve();
    yield { line: i + 1, text };
  }
}

const t = (time: string, extra = ''): string => `{"event_type": "x", "time": "${time}"${extra}}`;

describe('parseTrackingLog', () => {
  it('yields the events, reports rejected lines and keeps a live summary', async () => {
    const loadDate = new Date('2024-03-01T00:00:00Z');
    const rejected: RejectedLine[] = [];
    const parser = parseTrackingLog(
      linesOf([
        t(
          '2014-05-02T16:02:25.143912+00:00',
          ', "context": {"course_id": "MITx/6.00x/2013_Spring"}',
        ),
        '',
        '# a comment',
        'not json',
        `INFO logger.py:41 - ${t('2013-06-08T22:52:37.563104', ', "event": "{\\"a\\": 1}"')},`,
        '{"event_type": "x", "time": "2014-05-02T16:02:25+00:00", "event": {"cut',
        '{"event_type": "no time"}',
        t(
          '2014-05-01T00:00:00Z',
          ', "page": "https://x.org/courses/course-v1:MITx+6.00x+2013_Spring/about"',
        ),
        `{"event_type": "/a", "time": "2014-05-03T00:00:00Z", "event": ${JSON.stringify('{"POST": "'.padEnd(512, 'p'))}}`,
        `{"event_type": "b", "time": "2014-05-03T00:00:00Z", "event": "a=1&b=2"}`,
      ]),
      { file: 'f.log', loadDate, onReject: (r) => rejected.push(r) },
    );
    expect(parser.summary.lines).toBe(0);
    const events: TrackingEvent[] = [];
    for await (const e of parser) {
      events.push(e);
      expect(parser.summary.events).toBe(events.length);
    }
    expect(events.map((e) => e._load_line)).toEqual([1, 5, 8, 9, 10]);
    expect(events.every((e) => e._load_date === loadDate && e._load_file === 'f.log')).toBe(true);
    expect(rejected.map((r) => [r.line, r.reason])).toEqual([
      [4, 'not-object'],
      [6, 'not-json'],
      [7, 'bad-time'],
    ]);
    expect(parser.summary).toEqual({
      file: 'f.log',
      lines: 10,
      blank: 2,
      events: 5,
      rejected: { 'not-object': 1, 'not-json': 1, 'bad-time': 1, 'reserved-field': 0 },
      prefixed: 1,
      eventDecoded: 1,
      eventTruncated: 1,
      eventUnparsed: 1,
      eventsByCourse: { 'course-v1:MITx+6.00x+2013_Spring': 2 },
      eventsWithoutCourse: 3,
      firstTime: new Date('2013-06-08T22:52:37.563Z'),
      lastTime: new Date('2014-05-03T00:00:00Z'),
    });
  });

  it('returns the summary as the generator’s return value', async () => {
    const parser = parseTrackingLog(linesOf([t('2014-05-02T16:02:25Z')]), { file: 'f' });
    let step = await parser.next();
    expect(step.done).toBe(false);
    step = await parser.next();
    expect(step).toEqual({ done: true, value: parser.summary });
    expect(parser.summary.events).toBe(1);
  });

  it('uses the time of the call as load date by default, one Date for all events', async () => {
    const before = Date.now();
    const events: TrackingEvent[] = [];
    for await (const e of parseTrackingLog(
      linesOf([t('2014-05-02T16:02:25Z'), t('2014-05-02T16:02:26Z')]),
      { file: 'f' },
    ))
      events.push(e);
    expect(events[0]?._load_date.getTime()).toBeGreaterThanOrEqual(before);
    expect(events[0]?._load_date).toBe(events[1]?._load_date);
  });

  it('gives an empty summary for no lines', async () => {
    const parser = parseTrackingLog(linesOf([]), { file: 'empty.log' });
    for await (const e of parser) throw new Error(`unexpected ${e._id.toHexString()}`);
    expect([parser.summary.lines, parser.summary.firstTime, parser.summary.lastTime]).toEqual([
      0,
      null,
      null,
    ]);
  });

  it('throws UsageError E_OPTION for bad options', () => {
    expect(() => parseTrackingLog(linesOf([]), { file: 'f', loadDate: new Date('x') })).toThrow(
      UsageError,
    );
    expect(() => parseTrackingLog(linesOf([]), {} as { file: string })).toThrow(
      /`file` must be a string/,
    );
  });
});
