import { openInput, readLines } from '@edx-data/core';
import { parseTrackingLog } from '../parse-tracking-log.js';
import type { TrackingLogSummary } from '../parse-tracking-log.js';
import type { RejectedLine, TrackingEvent } from '../parse-tracking-line.js';

export interface ParsedFile {
  readonly events: TrackingEvent[];
  readonly rejected: RejectedLine[];
  readonly summary: TrackingLogSummary;
  /** readLines' count of physical lines. */
  readonly physicalLines: number;
}

/** Read a file the way a loader does: openInput + readLines + parseTrackingLog. */
export async function parseFile(path: string, file = path): Promise<ParsedFile> {
  const input = await openInput(path);
  const lines = readLines(input.stream, { file });
  const rejected: RejectedLine[] = [];
  const parser = parseTrackingLog(lines, {
    file,
    loadDate: new Date('2024-01-01T00:00:00Z'),
    onReject: (r) => rejected.push(r),
  });
  const events: TrackingEvent[] = [];
  for await (const event of parser) events.push(event);
  await input.done;
  return { events, rejected, summary: parser.summary, physicalLines: lines.summary.lines };
}
