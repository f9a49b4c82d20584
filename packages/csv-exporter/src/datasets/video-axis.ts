/** `video_axis`: the course's videos in course order, with their place and length. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { QueryReport, ReportContext, Row } from '../report.js';
import { textOrNull } from '../reports/video-shared.js';
import { courseBlocks, videoLengthOf } from './content-shared.js';

export const videoAxis: QueryReport = {
  kind: 'query',
  name: 'video_axis',
  question: 'Which videos does the course have, where are they, and how long are they?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.course_structure],
  columns: [
    {
      name: 'video_index',
      type: 'integer',
      description: '1-based index of the video in course order',
    },
    {
      name: 'video_id',
      type: 'string',
      description: 'The video block’s url_name (as `video_id` of the video datasets)',
    },
    {
      name: 'module_id',
      type: 'string',
      description: 'Its usage key (`block-v1:…+type@video+block@…`)',
    },
    { name: 'video_name', type: 'string', description: 'Its display name' },
    {
      name: 'chapter_index',
      type: 'integer',
      description: '1-based index of its chapter among the course’s chapters',
    },
    { name: 'chapter_id', type: 'string', description: 'Its chapter’s url_name' },
    { name: 'chapter_name', type: 'string', description: 'Its chapter’s display name' },
    { name: 'sequential_id', type: 'string', description: 'Its sequential’s url_name' },
    { name: 'sequential_name', type: 'string', description: 'Its sequential’s display name' },
    { name: 'vertical_id', type: 'string', description: 'Its vertical’s url_name' },
    { name: 'vertical_name', type: 'string', description: 'Its vertical’s display name' },
    {
      name: 'youtube_id',
      type: 'string',
      description: 'metadata.youtube_id_1_0 (the YouTube id at speed 1.0), empty when none',
    },
    {
      name: 'video_length',
      type: 'number',
      description:
        'Length in seconds from the structure: metadata.duration, else end_time − start_time; empty when the structure does not tell',
    },
  ],
  definition: [
    'One row per `video` block of the course structure reachable from the course block, in',
    'course order: a depth-first walk of `children` from the course block (the outline order;',
    'edx2bigquery `video_axis` = the video rows of `course_axis`, anchors.md §4a item 5). A block',
    'listed under two parents is placed once, at its first place; blocks no parent lists',
    '(orphans, deleted from the outline) are left out. `chapter_index` counts chapters in the',
    'same walk from 1; the chapter, sequential and vertical are the nearest such ancestors.',
    '',
    '`video_length` (seconds) comes from the structure only: `metadata.duration` when the export',
    'has it (simeon reads it from the OLX), else the clip the course plays, `end_time` −',
    '`start_time` (`HH:MM:SS`, start 0 when unset), when `end_time` is set. Otherwise it is',
    'empty: edX exports do not carry the length of an unclipped YouTube video (edx2bigquery asked',
    'the YouTube API, which needs a key and the network; not done here). Rows in course order.',
  ].join('\n'),
  changes: [
    'Follows edx2bigquery’s `video_axis` (index, name, chapter, YouTube id, length), with the',
    'place split into id and name columns and the usage key as `module_id`. edx2bigquery took',
    '`video_length` from the YouTube API and simeon from the OLX `duration`; here the OLX',
    'duration is used when present, else the clip length, else empty (no network access).',
    'edx2bigquery’s `index_video`, `index_chapter`, `name` are `video_index`, `chapter_index`,',
    '`video_name` here; its `video_id` (the url_name) and `youtube_id` keep their names.',
  ].join('\n'),
  async *rows(context: ReportContext): AsyncGenerator<Row> {
    let index = 0;
    for (const block of await courseBlocks(context.db)) {
      if (block.category !== 'video') continue;
      index++;
      yield {
        video_index: index,
        video_id: block.urlName,
        module_id: block.moduleId,
        video_name: block.name,
        chapter_index: block.chapterIndex,
        chapter_id: block.chapter?.id ?? null,
        chapter_name: block.chapter?.name ?? null,
        sequential_id: block.sequential?.id ?? null,
        sequential_name: block.sequential?.name ?? null,
        vertical_id: block.vertical?.id ?? null,
        vertical_name: block.vertical?.name ?? null,
        youtube_id: textOrNull(block.metadata['youtube_id_1_0']),
        video_length: videoLengthOf(block.metadata),
      };
    }
  },
};
