import type { EcsEvent, EcsObject } from '../../ecs/event.js';
import { normalizeHost, splitDomain } from '../../ecs/domain.js';
import { parseUrl } from '../../ecs/url.js';
import { parseUserAgent } from '../../ecs/user-agent.js';
import { RecordError } from '../format.js';
import { Rec, applyAction, applyCopies, applyUser, endpoint, networkType, setNat, type Copy, put } from './rec.js';

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const STATUS = /^\d{3}$/;

function base64(rec: Rec, key: string): string | undefined {
  const v = rec.get(key);
  if (v === undefined) return undefined;
  if (!BASE64.test(v)) throw new RecordError(`${key} '${v.slice(0, 40)}' is not base64`);
  return Buffer.from(v, 'base64').toString('utf8');
}

/**
 * NSS web URLs carry no scheme (`www.example.com/join/`): it comes from the protocol, and a CONNECT
 * tunnel or a decrypted transaction is HTTPS.
 */
function webUrl(rec: Rec, method: string | undefined): string | undefined {
  const raw = rec.get('eurl', 'url') ?? base64(rec, 'b64url');
  if (raw === undefined) return undefined;
  if (SCHEME.test(raw)) return raw;
  const proto = rec.get('proto')?.toLowerCase();
  const https = proto === 'https' || proto === 'ssl' || method === 'CONNECT' || rec.bool('ssldecrypted') === true;
  return `${https ? 'https' : 'http'}://${raw}`;
}

export function mapWeb(event: EcsEvent, rec: Rec): void {
  applyAction(event, rec.get('action'));
  applyUser(event, rec, 'login', 'user');
  endpoint(event, 'source', rec.ip('cltintip'), rec.port('cltsourceport'));
  // Elastic maps the web feed's cip (the client IP Zscaler saw) to source.nat.ip; cltpubip/cpubip name it outright.
  setNat(event, rec.ip('cltpubip', 'cpubip', 'cip', 'cltip'));
  endpoint(event, 'destination', rec.ip('sip', 'serverip', 'srvip'));

  const method = rec.get('reqmethod')?.toUpperCase();
  const full = webUrl(rec, method);
  if (full) event.url = parseUrl(full);
  const host = normalizeHost(rec.get('host')) ?? ((event.url as EcsObject | undefined)?.domain as string | undefined);
  if (host) {
    const destination = (event.destination as EcsObject | undefined) ?? {};
    destination.domain = host;
    const parts = splitDomain(host);
    if (parts?.registered_domain) destination.registered_domain = parts.registered_domain;
    event.destination = destination;
  }

  const http: EcsObject = { request: {}, response: {} };
  const request = http.request as EcsObject;
  if (method) request.method = method;
  const referrer = rec.get('ereferer', 'referer', 'refererurl') ?? base64(rec, 'b64referer');
  if (referrer) request.referrer = referrer;
  const status = rec.get('respcode');
  if (status !== undefined && STATUS.test(status) && status !== '000') (http.response as EcsObject).status_code = Number(status);
  else if (status !== undefined) put(event, 'zscaler.web.respcode', status);
  event.http = http;
  applyCopies(event, rec, WEB_COPIES);

  const ua = rec.get('ua', 'useragent');
  if (ua) event.user_agent = parseUserAgent(ua);
  const ssl = rec.bool('ssldecrypted');
  if (ssl !== undefined) put(event, 'zscaler.ssl_decrypted', ssl);
  networkType(event);
}

const WEB_COPIES: readonly Copy[] = [
  [['reqsize'], 'http.request.bytes', 'long'],
  [['respsize'], 'http.response.bytes', 'long'],
  [['reqdatasize'], 'http.request.body.bytes', 'long'],
  [['respdatasize'], 'http.response.body.bytes', 'long'],
  [['totalsize'], 'network.bytes', 'long'],
  [['contenttype'], 'http.response.mime_type'],
  [['reqversion'], 'http.version'],
  [['proto'], 'network.protocol', 'lower'],
  [['appname'], 'network.application', 'lower'],
  [['appname'], 'zscaler.app_name'],
  [['appclass'], 'zscaler.app_class'],
  [['reason'], 'event.reason'],
  [['rulelabel'], 'rule.name'],
  [['ruletype'], 'rule.ruleset'],
  [['urlfilterrulelabel'], 'zscaler.url_filter_rule'],
  [['apprulelabel'], 'zscaler.app_rule'],
  [['dept', 'department'], 'zscaler.department'],
  [['location', 'locationname'], 'zscaler.location'],
  [['urlcat', 'urlcategory'], 'zscaler.url_category'],
  [['urlsupercat'], 'zscaler.url_super_category'],
  [['urlsubcat'], 'zscaler.url_sub_category'],
  [['urlclass'], 'zscaler.url_class'],
  [['riskscore'], 'event.risk_score', 'number'],
  [['dlpeng', 'dlpengine'], 'zscaler.dlp.engine'],
  [['dlpdict', 'dlpdictionaries'], 'zscaler.dlp.dictionaries'],
  [['dlprulename'], 'zscaler.dlp.rule_name'],
  [['dlpmd5'], 'zscaler.dlp.md5'],
  [['dlpidentifier'], 'zscaler.dlp.identifier'],
  [['dlpdicthitcount'], 'zscaler.dlp.dictionary_hit_count', 'long'],
  [['sandbox'], 'zscaler.sandbox.verdict'],
  [['malwarecat', 'malwarecategory'], 'zscaler.malware_category'],
  [['malwareclass'], 'zscaler.malware_class'],
  [['threatname'], 'zscaler.threat_name'],
  [['threatseverity'], 'zscaler.threat_severity'],
  [['bamd5'], 'file.hash.md5', 'lower'],
  [['sha256'], 'file.hash.sha256', 'lower'],
  [['filename'], 'file.name'],
  [['filetype'], 'zscaler.file_type'],
  [['unscannabletype'], 'zscaler.unscannable_type'],
  [['devicehostname'], 'host.name'],
  [['deviceowner'], 'source.user.name'],
  [['recordid'], 'zscaler.record_id'],
  [['company'], 'organization.name'],
];
