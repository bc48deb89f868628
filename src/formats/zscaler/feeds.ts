/**
 * NSS feed types: named by the envelope's `sourcetype` (`zscalernss-web`, `zscalernss-fw` …) or, for
 * name-value and tab-separated output, recognized from the fields a record carries.
 */
/** web, firewall, dns, tunnel, audit, casb, alerts — or the suffix of an unknown `zscalernss-*` sourcetype. */
export type Feed = string;

export interface FeedSpec {
  kind: string;
  category: string[];
  type: string[];
  observerType: string;
}

export const FEED_SPECS: Record<string, FeedSpec> = {
  web: { kind: 'event', category: ['network', 'web'], type: ['access'], observerType: 'proxy' },
  firewall: { kind: 'event', category: ['network'], type: ['connection'], observerType: 'firewall' },
  dns: { kind: 'event', category: ['network'], type: ['protocol'], observerType: 'dns' },
  tunnel: { kind: 'event', category: ['network'], type: ['connection'], observerType: 'vpn' },
  audit: { kind: 'event', category: ['configuration'], type: ['change'], observerType: 'api' },
  casb: { kind: 'event', category: ['file'], type: ['info'], observerType: 'casb' },
  alerts: { kind: 'alert', category: ['network'], type: ['info'], observerType: 'proxy' },
};
export const DEFAULT_SPEC: FeedSpec = { kind: 'event', category: ['network'], type: ['info'], observerType: 'proxy' };

/** `zscalernss-<suffix>` suffixes (and Splunk/Elastic variants) → feed. */
const SOURCETYPE_FEEDS: Record<string, Feed> = {
  web: 'web', weblog: 'web', fw: 'firewall', firewall: 'firewall', dns: 'dns', tunnel: 'tunnel', audit: 'audit',
  adminaudit: 'audit', casb: 'casb', saas: 'casb', alerts: 'alerts', alert: 'alerts',
};

/**
 * What an unknown sourcetype's suffix may be as a feed name: it becomes the `zscaler.<feed>` object
 * key, so a word (`__proto__` reached Object.prototype; 10 MB names made 10 MB keys).
 */
const FEED_NAME = /^[a-z0-9][a-z0-9_]{0,39}$/;

export function feedFromSourcetype(sourcetype: string): Feed {
  const suffix = sourcetype.toLowerCase().replace(/^zscaler[-_]?nss[-_]?|^zscaler[-_]?/, '').replace(/[^a-z0-9_]/g, '_');
  // Own entries only: a sourcetype of `constructor` must not find Object's members.
  if (Object.hasOwn(SOURCETYPE_FEEDS, suffix)) return SOURCETYPE_FEEDS[suffix]!;
  return FEED_NAME.test(suffix) ? suffix : 'unknown';
}

/** Fields that only one feed carries; the feed with the most of them present wins. */
const FEED_KEYS: [Feed, readonly string[]][] = [
  ['dns', ['dns_req', 'dns_reqtype', 'dns_resp', 'clt_sip', 'srv_dip', 'reqaction', 'resaction', 'reqtype', 'domcat', 'respipcat']],
  ['firewall', ['csip', 'cdip', 'csport', 'cdport', 'ssip', 'sdip', 'tsip', 'nwapp', 'nwsvc', 'ipcat', 'ipproto', 'tuntype']],
  ['web', [
    'eurl', 'url', 'b64url', 'urlcat', 'urlclass', 'reqmethod', 'respcode', 'cltintip', 'cltpubip', 'ua', 'useragent', 'ereferer',
    // Splunk/JSON preset keys (aliases.ts).
    'requestmethod', 'refererurl', 'urlcategory', 'urlsupercategory', 'clientip', 'transactionsize', 'requestsize',
  ]],
  ['tunnel', ['tunneltype', 'recordtype', 'txbytes', 'rxbytes', 'dpdrec', 'vpncredentialname', 'ikeversion']],
  ['audit', ['adminid', 'auditlogtype', 'preaction', 'postaction', 'errorcode', 'interface', 'subcategory']],
  ['casb', ['tenant', 'extcollabnames', 'filemd5', 'fileid', 'applicationname', 'extownername', 'fullurl']],
];

export function feedFromFields(keys: { has(key: string): boolean }): Feed | undefined {
  let best: Feed | undefined;
  let bestCount = 0;
  for (const [feed, names] of FEED_KEYS) {
    let count = 0;
    for (const n of names) if (keys.has(n)) count++;
    if (count > bestCount) {
      best = feed;
      bestCount = count;
    }
  }
  return best;
}
