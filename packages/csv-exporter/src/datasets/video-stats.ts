/** `video_stats`: per video, how many learners viewed it and how many watched it to the end. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, TrackingReducer, TrackingReport } from '../report.js';
import { videoIndex, videoOrder } from './content-shared.js';
import { POSITION_DEFINITION, SCALE_PARAMETER, videoPosition } from './video-stats-day.js';

interface VideoCounts {
  viewed: number;
  watched: number;
  learners: number;
}

export const videoStats: TrackingReport = {
  kind: 'tracking',
  name: 'video_stats',
  question: 'How many learners viewed each video, and how many watched it (nearly) to the end?',
  version: '1',
  parameters: [
    SCALE_PARAMETER,
    {
      name: 'watched_share',
      type: 'number',
      description:
        'Share of the video’s length a learner’s furthest position must pass to count as watched',
      default: 0.95,
    },
  ],
  reads: [COURSE_COLLECTIONS.tracking, COURSE_COLLECTIONS.course_structure],
  columns: [
    {
      name: 'video_index',
      type: 'integer',
      description:
        '1-based index in course order (`video_axis`); empty for a video not in the structure',
    },
    {
      name: 'chapter_index',
      type: 'integer',
      description:
        '1-based index of its chapter (`video_axis`); empty for a video not in the structure',
    },
    { name: 'chapter_name', type: 'string', description: 'Display name of its chapter' },
    { name: 'video_id', type: 'string', description: 'The video block’s url_name' },
    {
      name: 'video_name',
      type: 'string',
      description: 'Its display name; empty when not in the structure',
    },
    {
      name: 'video_length',
      type: 'number',
      description: 'Its length in seconds as `video_axis` gives it; empty when unknown',
    },
    {
      name: 'n_learners',
      type: 'integer',
      description: 'Learners with at least one position event of the video',
    },
    {
      name: 'videos_viewed',
      type: 'integer',
      description: 'Learners whose furthest position in the video is > 0',
    },
    {
      name: 'videos_watched',
      type: 'integer',
      description:
        'Learners whose furthest position is > watched_share × video_length; empty when the length is unknown',
    },
  ],
  definition: [
    POSITION_DEFINITION,
    '',
    'A learner’s **furthest position** in a video is the greatest position of their position',
    'events of that video over the whole window (the greatest `max_position` of their',
    '`video_stats_day` rows). Per video: `n_learners` = learners with a position event,',
    '`videos_viewed` = learners whose furthest position is > 0, `videos_watched` = learners',
    'whose furthest position is > `watched_share` (default 0.95) × `video_length`',
    '(edx2bigquery, anchors.md §4a item 5); empty when `video_length` is unknown.',
    '',
    'One row per video of `video_axis` (in its order, zero counts included), then one per',
    'other video id met in the events (by id; their name, index and length empty).',
  ].join('\n'),
  changes: [
    'Follows edx2bigquery’s `video_stats` (`videos_viewed`, `videos_watched` at 95 % of the',
    'length). edx2bigquery had the YouTube length for every video; here the length comes from',
    'the structure and `videos_watched` is empty when it is unknown (rather than 0). The share',
    'is a parameter; `n_learners` also counts learners whose only events were at position 0.',
    'Its `index_video`, `index_chapter`, `name` are `video_index`, `chapter_index`,',
    '`video_name` here.',
  ].join('\n'),
  async start(context: ReportContext): Promise<TrackingReducer> {
    const scale = context.params['position'] !== 'current_time';
    const share = Number(context.params['watched_share'] ?? 0.95);
    const videos = await videoIndex(context.db);
    const counts = new Map<string, VideoCounts>();
    let furthest = new Map<string, number | null>();
    return {
      event(event: Document): void {
        const vp = videoPosition(event, scale);
        const username = event['username'];
        if (vp === null || typeof username !== 'string' || username === '') return;
        const before = furthest.get(vp.video);
        if (before === undefined) furthest.set(vp.video, vp.position);
        else if (vp.position !== null && (before === null || vp.position > before)) {
          furthest.set(vp.video, vp.position);
        }
      },
      endLearner(): void {
        for (const [video, max] of furthest) {
          let c = counts.get(video);
          if (c === undefined) {
            c = { viewed: 0, watched: 0, learners: 0 };
            counts.set(video, c);
          }
          c.learners++;
          if (max !== null && max > 0) c.viewed++;
          const length = videos.get(video)?.length ?? null;
          if (max !== null && length !== null && max > share * length) c.watched++;
        }
        furthest = new Map();
      },
      end(emit: Emit): void {
        for (const video of videoOrder(videos, counts.keys())) {
          const info = videos.get(video);
          const c = counts.get(video);
          const length = info?.length ?? null;
          emit({
            video_index: info?.index ?? null,
            chapter_index: info?.chapterIndex ?? null,
            chapter_name: info?.chapterName ?? null,
            video_id: video,
            video_name: info?.name ?? null,
            video_length: length,
            n_learners: c?.learners ?? 0,
            videos_viewed: c?.viewed ?? 0,
            videos_watched: length === null ? null : (c?.watched ?? 0),
          });
        }
      },
    };
  },
};
