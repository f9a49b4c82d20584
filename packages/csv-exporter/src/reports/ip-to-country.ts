/** `ip_to_country`: the IP addresses each learner came from, and their countries. */
import { COURSE_COLLECTIONS } from '@edx-data/core';
import type { Document } from '@edx-data/store';
import type { Emit, ReportContext, TrackingReducer, TrackingReport } from '../report.js';
import { LEARNER_COLUMNS } from './columns.js';
import { loadGeoIp } from './geoip.js';
import type { GeoIpCountry } from './geoip.js';
import { eventTime, eventUserId } from './values.js';

interface IpSeen {
  events: number;
  first: Date;
  last: Date;
}

export const ipToCountry: TrackingReport = {
  kind: 'tracking',
  name: 'ip_to_country',
  question: 'From which IP addresses, and so from which countries, did each learner come?',
  version: '1',
  parameters: [],
  reads: [COURSE_COLLECTIONS.tracking],
  columns: [
    ...LEARNER_COLUMNS,
    {
      name: 'ip',
      type: 'string',
      description: 'The `ip` field of the events (IPv4 or IPv6)',
      identifier: 'ip',
    },
    { name: 'events', type: 'integer', description: 'Events of the learner from that address' },
    { name: 'first_seen', type: 'datetime', description: 'Time of the first of them (UTC)' },
    { name: 'last_seen', type: 'datetime', description: 'Time of the last of them (UTC)' },
    {
      name: 'country_code',
      type: 'string',
      description:
        'ISO 3166-1 alpha-2 code of the country the address is registered in (geoip-country); empty when unknown',
      identifier: 'location',
    },
    {
      name: 'country_name',
      type: 'string',
      description: 'English name of that country (geoip-country); empty when unknown',
      identifier: 'location',
    },
  ],
  definition: [
    'One row per (learner, `ip`) among the course events of the window that have a non-empty',
    '`ip` (events without one, such as the mobile app’s, are not counted). `events` counts the',
    'learner’s events from that address, first and last seen are their earliest and latest `time`.',
    'The country is looked up offline in the `geoip-country` package (a copy of the GeoLite2',
    'country ranges, IPv4 and IPv6, as of the package version): the country where the address',
    'block is registered, which is not always where the learner sat (VPNs, proxies, mobile',
    'carriers). Private, loopback, link-local and shared addresses, addresses the database does not',
    'know and values that are not addresses give empty country columns; a comma-separated list',
    '(a forwarded-for chain) is looked up by its first address. Events **without a username**',
    '(not logged in) are kept, under empty learner columns, one row per address: they are no one',
    'learner’s, and this keeps them apart from every learner instead of lumping them into a',
    'pseudo-user. Rows are in `username` (empty first), then `first_seen`, then `ip` order.',
  ].join('\n'),
  changes: [
    'The McGill `ip_to_country` (CLI and scripts) used the legacy MaxMind `GeoIP.dat` (IPv4',
    'only), crashed on a country code missing from its code → name CSV (one code was patched by',
    'hand), wrote one row per (user, country) keeping only the first IP, lumped users without a',
    'username into `anonymous`/`unknown`, and on HEAD wrote the same (stale) username on every row.',
    'Here each row carries its own learner (user_id, username, hash_id), every address is kept with',
    'its events and first/last time, IPv6 is looked up too, unknown addresses give empty',
    'countries, and events without a username stay under empty learner columns.',
  ].join('\n'),
  start(context: ReportContext): TrackingReducer {
    const geoip = loadGeoIp();
    const countries = new Map<string, GeoIpCountry | null>();
    const countryOf = (ip: string): GeoIpCountry | null => {
      let found = countries.get(ip);
      if (found === undefined) {
        found = geoip.lookup((ip.split(',')[0] ?? '').trim()) ?? null;
        countries.set(ip, found);
      }
      return found;
    };
    let seen = new Map<string, IpSeen>();
    let userId: number | null = null;
    return {
      event(event: Document): void {
        const raw = event['ip'];
        const time = eventTime(event);
        if (typeof raw !== 'string' || time === null) return;
        const ip = raw.trim();
        if (ip === '') return;
        userId ??= eventUserId(event);
        const found = seen.get(ip);
        if (found === undefined) seen.set(ip, { events: 1, first: time, last: time });
        else {
          found.events += 1;
          if (time < found.first) found.first = time;
          if (time > found.last) found.last = time;
        }
      },
      endLearner(username: string, emit: Emit): void {
        const learner =
          username === ''
            ? { user_id: null, username: null, hash_id: null }
            : context.learners.columns(userId, username);
        const ordered = [...seen].sort(
          ([a, x], [b, y]) => x.first.getTime() - y.first.getTime() || (a < b ? -1 : a > b ? 1 : 0),
        );
        for (const [ip, s] of ordered) {
          const country = countryOf(ip);
          emit({
            ...learner,
            ip,
            events: s.events,
            first_seen: s.first,
            last_seen: s.last,
            country_code: country?.country ?? null,
            country_name: country?.name ?? null,
          });
        }
        seen = new Map();
        userId = null;
      },
    };
  },
};
