export { GeoLookup, sharedGeo, parseNetworks, loadNetworks, GEO_FILES, GEO_ATTRIBUTION, type IpGeo, type NetworkOverride } from './lookup.js';
export { parseIpv4Csv, parseIpv6Csv, lookupIpv4, lookupIpv6, type AsnInfo } from './asn-ranges.js';
export { CountryReader } from './country.js';
