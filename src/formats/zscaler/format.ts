import type { Format } from '../format.js';
import { ZscalerParser } from './parser.js';
import { detectZscaler } from './detect.js';
import { DATASET } from './rec.js';
import { ZSCALER_FIELDS as fields } from './fields.js';

export const zscaler: Format = {
  id: DATASET,
  title: 'Zscaler Internet Access NSS feeds',
  description:
    'NSS / Cloud NSS web, firewall, DNS, tunnel, admin audit and CASB feeds as JSON (flat or in the ' +
    '{"sourcetype":"zscalernss-web","event":{…}} envelope), name-value pairs, or tab-separated values named by ' +
    '--fields (the feed output template or the field names in order). Times without a zone are read in the ' +
    'record\'s tz, else --timezone, else UTC; epochtime is used when there is no text time. Field names may be the NSS ' +
    'tokens, the SIEM presets\' keys (ClientIP, requestmethod, protocol …) or the Cloud NSS spellings. url.original is the ' +
    'URL as logged; url.scheme and url.full come from the protocol. A malformed optional field is left out and noted ' +
    '(tags: _field_dropped).',
  framing: 'lines',
  options: [
    { name: 'fields', description: 'Tab-separated feeds: the NSS feed output format (%s{time}\\t%s{login}…) or its field names in order.' },
    { name: 'timezone', description: 'Zone of time/datetime values when records carry no tz field (offset or IANA name).' },
  ],
  detect: detectZscaler,
  createParser: (ctx) => new ZscalerParser(ctx),
  fields,
};
