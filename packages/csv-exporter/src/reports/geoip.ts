/** Countries of IP addresses, offline: the `geoip-country` package (a copy of GeoLite2 country). */
import { createRequire } from 'node:module';

/** What `geoip-country` gives for an address it knows. */
export interface GeoIpCountry {
  readonly country: string;
  readonly name: string;
}

export interface GeoIp {
  lookup(ip: string): GeoIpCountry | null | undefined;
}

/** `geoip-country`, loaded on demand (it reads its data files when first required). */
export function loadGeoIp(): GeoIp {
  const require = createRequire(import.meta.url);
  return require('geoip-country') as GeoIp;
}
