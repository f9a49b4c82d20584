/** IP → country offline, with the `geoip-country` package (a copy of GeoLite2 Country). */
import { createRequire } from 'node:module';
import type { CountryLookup } from './generalise.js';

interface GeoIpCountry {
  lookup(ip: string): { readonly country: string } | null | undefined;
}

/** `geoip-country` as a {@link CountryLookup}; loaded on first use (it reads its data files). */
export function geoIpCountryLookup(): CountryLookup {
  let geo: GeoIpCountry | undefined;
  return (ip) => {
    geo ??= createRequire(import.meta.url)('geoip-country') as GeoIpCountry;
    const country = geo.lookup(ip)?.country;
    return country === undefined || country === '' ? null : country;
  };
}
