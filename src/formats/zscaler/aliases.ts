import type { EcsObject } from '../../ecs/event.js';

/**
 * NSS feed output formats are templates the customer writes: the same datum arrives under the raw
 * NSS token (`cip`, `reqmethod`), the escaped token (`eurl`, `elogin`), the key of a SIEM preset
 * (Splunk/JSON: `ClientIP`, `requestmethod`, `protocol`) or a Cloud NSS spelling (`cltip`,
 * `cltsourceport`). Per feed: the name the mappers read ← the other documented spellings, tried in
 * order (../shared/reference/zscaler-umbrella-defender-variants.md §1.2–1.5). Keys are lower-case, as
 * records are read.
 */
export const FEED_ALIASES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  web: {
    recordid: ['event_id'],
    cintip: ['cltintip'],
    cpubip: ['cltpubip', 'clientpublicip'],
    cip: ['clientip', 'cltip'],
    clt_sport: ['cltsourceport'],
    sip: ['serverip', 'srvip'],
    reqmethod: ['requestmethod'],
    proto: ['protocol'],
    url: ['eurl', 'fullurl'],
    host: ['ehost', 'hostname'],
    respcode: ['status', 'responsecode'],
    login: ['elogin'],
    dept: ['edepartment', 'department'],
    ua: ['eua', 'useragent'],
    referer: ['ereferer', 'refererurl'],
    reqsize: ['requestsize'],
    respsize: ['responsesize'],
    totalsize: ['transactionsize'],
    urlcat: ['urlcategory'],
    urlsupercat: ['urlsupercategory'],
    urlsubcat: ['urlsubcategory'],
    malwarecat: ['threatcategory', 'malwarecategory'],
    malwareclass: ['threatclass'],
    riskscore: ['pagerisk'],
    dlpeng: ['dlpengine'],
    dlpdict: ['dlpdictionaries'],
    location: ['locationname'],
  },
  firewall: {
    proto: ['ipproto'],
    login: ['elogin'],
    dept: ['department', 'edepartment'],
    location: ['locationname'],
  },
  dns: {
    clt_sip: ['cip', 'clientip'],
    srv_dip: ['sip', 'serverip'],
    srv_dport: ['sport'],
    dns_req: ['req'],
    dns_reqtype: ['reqtype'],
    dns_resp: ['res'],
    category: ['domcat'],
    respipcat: ['respipcategory'],
    dept: ['department', 'edepartment'],
    location: ['locationname'],
  },
  casb: {
    url: ['fullurl'],
  },
};

/**
 * Renames a record's documented alternative spellings to the names its feed's mapper reads (when
 * the record does not carry that name itself). Returns canonical name → the key as written, so a
 * note about a value names the customer's own key.
 */
export function canonicalKeys(values: Map<string, string | EcsObject>, feed: string): Map<string, string> | undefined {
  const aliases = FEED_ALIASES[feed];
  if (!aliases) return undefined;
  let written: Map<string, string> | undefined;
  for (const canonical in aliases) {
    if (values.has(canonical)) continue;
    for (const alias of aliases[canonical]!) {
      const v = values.get(alias);
      if (v === undefined) continue;
      values.set(canonical, v);
      values.delete(alias);
      (written ??= new Map()).set(canonical, alias);
      break;
    }
  }
  return written;
}
