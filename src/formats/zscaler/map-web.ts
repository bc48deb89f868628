import type { EcsEvent, EcsObject } from '../../ecs/event.js';
import { normalizeHost, splitDomain } from '../../ecs/domain.js';
import { parseUrl } from '../../ecs/url.js';
import { parseUserAgent } from '../../ecs/user-agent.js';
import { Rec, applyAction, applyCopies, applyUser, endpoint, networkType, setNat, type Copy, put } from './rec.js';

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const STATUS = /^\d{3}$/;

/** A base64 field (`b64url`, `b64referer`) decoded; a value that is not base64 is left out and noted. */
function base64(rec: Rec, key: string): string | undefined {
  const v = rec.get(key);
  if (v === undefined) return undefined;
  if (!BASE64.test(v)) return rec.drop(key, v, 'is not base64');
  return Buffer.from(v, 'base64').toString('utf8');
}

/** The NSS protocol (`proto`, preset key `protocol`) → the URL scheme it implies. */
const PROTOCOL_SCHEMES = new Map([['http', 'http'], ['https', 'https'], ['ssl', 'https'], ['tls', 'https'], ['ftp', 'ftp']]);

/**
 * The scheme of a web transaction: from its protocol (HTTPS/SSL → https, HTTP → http), or https
 * when the transaction was SSL-inspected or is a CONNECT tunnel (`HTTP_PROXY` + CONNECT
 * `host:443`); undefined when nothing says.
 */
function schemeOf(rec: Rec, method: string | undefined): string | undefined {
  const proto = rec.get('proto')?.toLowerCase();
  const byProtocol = proto === undefined ? undefined : PROTOCOL_SCHEMES.get(proto);
  if (byProtocol === 'https' || method === 'CONNECT' || rec.bool('ssldecrypted') === true) return 'https';
  return byProtocol;
}

/**
 * `url.*` of a URL as NSS logs it: host, path and query without a scheme (`www.example.com/join/`),
 * `host:port` for a CONNECT. `url.original` is the value as logged; `url.scheme` and `url.full` only
 * when the scheme can be told (reference §1.3: build url.full only when a scheme is derivable).
 */
export function loggedUrl(raw: string, scheme: string | undefined): EcsObject {
  if (SCHEME.test(raw)) return parseUrl(raw);
  const url = parseUrl(`${scheme ?? 'http'}://${raw}`);
  url.original = raw;
  if (scheme === undefined) {
    delete url.scheme;
    delete url.full;
  } else url.full = `${scheme}://${raw}`;
  return url;
}

export function mapWeb(event: EcsEvent, rec: Rec): void {
  applyAction(event, rec.get('action'));
  applyUser(event, rec, 'login', 'user');
  // Names as aliases.ts makes them: cintip (Cloud NSS cltintip) is the client's own address, cpubip
  // (cltpubip, clientpublicIP) its public egress; cip (ClientIP, cltip) is the client address Zscaler
  // saw, which Elastic also reads as source.nat.ip.
  endpoint(event, 'source', rec.ip('cintip'), rec.port('clt_sport'));
  setNat(event, rec.ip('cpubip', 'cip'));
  endpoint(event, 'destination', rec.ip('sip'));

  const method = rec.get('reqmethod')?.toUpperCase();
  const raw = rec.get('url') ?? base64(rec, 'b64url');
  if (raw !== undefined) event.url = loggedUrl(raw, schemeOf(rec, method));
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
  const referrer = rec.get('referer') ?? base64(rec, 'b64referer');
  if (referrer) request.referrer = referrer;
  const status = rec.get('respcode');
  if (status !== undefined && STATUS.test(status) && status !== '000') (http.response as EcsObject).status_code = Number(status);
  else if (status !== undefined) put(event, 'zscaler.web.respcode', status);
  event.http = http;
  applyCopies(event, rec, WEB_COPIES);

  const ua = rec.get('ua');
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
  [['dept'], 'zscaler.department'],
  [['location'], 'zscaler.location'],
  [['urlcat'], 'zscaler.url_category'],
  [['urlsupercat'], 'zscaler.url_super_category'],
  [['urlsubcat'], 'zscaler.url_sub_category'],
  [['urlclass'], 'zscaler.url_class'],
  [['riskscore'], 'event.risk_score', 'number'],
  [['dlpeng'], 'zscaler.dlp.engine'],
  [['dlpdict'], 'zscaler.dlp.dictionaries'],
  [['dlprulename'], 'zscaler.dlp.rule_name'],
  [['dlpmd5'], 'zscaler.dlp.md5'],
  [['dlpidentifier'], 'zscaler.dlp.identifier'],
  [['dlpdicthitcount'], 'zscaler.dlp.dictionary_hit_count', 'long'],
  [['sandbox'], 'zscaler.sandbox.verdict'],
  [['malwarecat'], 'zscaler.malware_category'],
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
