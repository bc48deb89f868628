import type { EcsObject } from '../../ecs/event.js';
import { canonicalIp, ipList, ipVersion } from '../../ecs/ip.js';
import { identityToEcs, normalizeIdentity, type Identity } from '../../ecs/identity.js';
import { BoundedCache } from '../../util/bounded-cache.js';
import { isTimeValue, nanosFrom } from '../../ecs/time.js';
import { splitDomain } from '../../ecs/domain.js';
import { parseUrl } from '../../ecs/url.js';
import { parseUserAgent } from '../../ecs/user-agent.js';
import { F, type Rec } from './layouts.js';
import { ACTION_CLASS, DIRECTION, FILE_SUBTYPES, IANA, MALICIOUS_VERDICTS, THREAT_ALERT_SUBTYPES, lookup } from './mappings.js';
import { int, ip, port, str, type TimeReader } from './read.js';
import type { Draft } from './to-ecs.js';
import { compileCopy } from './copy.js';
import { mapDecryption } from './to-ecs-tls.js';

// A firewall logs the same few thousand users over and over; normalizing is a cascade of regexes.
const identities = new BoundedCache<string, Identity | null>(20_000);

/** A user field as ECS `user`-style object (normalized; the raw text when it cannot be). */
export function userObject(raw: string | undefined): EcsObject | undefined {
  if (raw === undefined) return undefined;
  let id = identities.get(raw);
  if (id === undefined) {
    id = normalizeIdentity(raw) ?? null;
    identities.set(raw, id);
  }
  if (id) return identityToEcs(id);
  // Names the shared normalizer has no rule for (`Lee Cole`) are kept as written; its "no user" words are not.
  const t = raw.trim();
  return t && !NO_USER.has(t.toLowerCase()) ? { name: t } : undefined;
}

const NO_USER = new Set(['-', 'none', 'n/a', 'na', 'null', 'unknown', 'system', 'anonymous']);

/** ECS `source.mac` form: upper-case, dash-separated. */
export function mac(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const hex = value.replace(/[^0-9a-fA-F]/g, '');
  if (hex.length !== 12) return undefined;
  return hex.toUpperCase().match(/../g)!.join('-');
}

/** TRAFFIC, THREAT and DECRYPTION: the 5-tuple, NAT, zones, rule, app, user, counters. */
export function mapSession(r: Rec, d: Draft, t: TimeReader): void {
  const { out, event, panos } = d;
  const srcIp = ip(r, F.src, d.errors);
  const dstIp = ip(r, F.dst, d.errors);
  const natSrc = ip(r, F.natsrc, d.errors);
  const natDst = ip(r, F.natdst, d.errors);
  const source: EcsObject = {};
  const destination: EcsObject = {};
  if (srcIp) source.ip = source.address = srcIp;
  const sport = port(r, F.sport, d.errors);
  if (sport !== undefined) source.port = sport;
  if (dstIp) destination.ip = destination.address = dstIp;
  const dport = port(r, F.dport, d.errors);
  if (dport !== undefined) destination.port = dport;
  // 0.0.0.0 means "not translated": keeping it would join every untranslated session together.
  if (natSrc && natSrc !== '0.0.0.0') {
    const nat: EcsObject = { ip: natSrc };
    const p = port(r, F.natsport, d.errors);
    if (p !== undefined) nat.port = p;
    source.nat = nat;
  }
  if (natDst && natDst !== '0.0.0.0') {
    const nat: EcsObject = { ip: natDst };
    const p = port(r, F.natdport, d.errors);
    if (p !== undefined) nat.port = p;
    destination.nat = nat;
  }
  const srcUser = userObject(str(r, F.srcuser));
  if (srcUser) {
    source.user = srcUser;
    out.user = { ...srcUser };
  }
  const dstUser = userObject(str(r, F.dstuser));
  if (dstUser) destination.user = dstUser;
  const srcLoc = str(r, F.srcloc);
  if (srcLoc) source.geo = { name: srcLoc };
  const dstLoc = str(r, F.dstloc);
  if (dstLoc) destination.geo = { name: dstLoc };
  const srcMac = mac(str(r, F.src_mac));
  if (srcMac) source.mac = srcMac;
  const dstMac = mac(str(r, F.dst_mac));
  if (dstMac) destination.mac = dstMac;
  out.source = source;
  out.destination = destination;

  const network: EcsObject = {};
  const app = str(r, F.app);
  if (app) network.application = app;
  const proto = str(r, F.proto);
  if (proto) {
    const p = proto.toLowerCase();
    network.transport = p;
    const n = IANA[p];
    if (n) network.iana_number = n;
  }
  if (srcIp) network.type = ipVersion(srcIp);
  const xff = canonicalIp(str(r, F.xff_ip));
  if (xff) network.forwarded_ip = xff;
  out.network = network;

  const observer = out.observer as EcsObject;
  const inZone = str(r, F.from);
  const inIf = str(r, F.inbound_if);
  if (inZone || inIf) observer.ingress = side(inZone, inIf);
  const outZone = str(r, F.to);
  const outIf = str(r, F.outbound_if);
  if (outZone || outIf) observer.egress = side(outZone, outIf);

  const rule = str(r, F.rule);
  const ruleUuid = str(r, F.rule_uuid);
  if (rule || ruleUuid) {
    const o: EcsObject = {};
    if (rule) o.name = rule;
    if (ruleUuid) o.uuid = ruleUuid;
    out.rule = o;
  }
  const session = str(r, F.sessionid);
  if (session) panos.session_id = panos.flow_id = session;
  const action = str(r, F.action);
  if (action) panos.action = action;
  copySession(r, panos);
  // Device-ID host names (Source/Destination Hostname, SLS SourceDeviceHost): ECS keeps a peer's
  // host name in `<side>.domain` ("may be a host name"); a URL or SNI host, when the record has one,
  // names the destination more precisely and is set below in its place.
  const srcHost = str(r, F.src_host);
  if (srcHost) source.domain = srcHost;

  const cls = action === undefined ? undefined : ACTION_CLASS[action.toLowerCase()];
  if (cls) event.outcome = cls === 'allowed' ? 'success' : 'failure';
  else event.outcome = 'unknown';

  if (d.type === 'THREAT') threat(r, d, cls);
  else if (d.type === 'DECRYPTION') mapDecryption(r, d, cls);
  else {
    // TRAFFIC, and the tunnel (START/END) and SCTP logs, which count a session the same way.
    traffic(r, d, t, cls);
    const stage = STAGE_TYPES[d.type];
    if (stage) event.type = ['connection', stage, ...(cls ? [cls] : [])];
  }
  const dstHost = str(r, F.dst_host);
  if (dstHost && destination.domain === undefined) destination.domain = dstHost;
}

const SESSION_VENDOR: [number, string][] = [
  [F.action_source, 'action_source'],
  [F.parent_session_id, 'parent_session_id'],
  [F.tunnel, 'tunnel_type'],
  [F.imsi, 'imsi'],
  [F.imei, 'imei'],
  [F.flags, 'flags'],
  [F.dynusergroup_name, 'dynamic_user_group'],
  [F.src_dag, 'source_dynamic_address_group'],
  [F.dst_dag, 'destination_dynamic_address_group'],
  [F.src_edl, 'source_edl'],
  [F.dst_edl, 'destination_edl'],
  [F.policy_id, 'policy_id'],
  [F.risk_of_app, 'app_risk'],
  [F.category_of_app, 'app_category'],
  [F.subcategory_of_app, 'app_subcategory'],
];
const copySession = compileCopy(SESSION_VENDOR, ['0', 'N/A']);

/** Tunnel Inspection logs name the session stage in their Type. */
const STAGE_TYPES = lookup<string>({ START: 'start', END: 'end' });

function side(zone: string | undefined, iface: string | undefined): EcsObject {
  const o: EcsObject = {};
  if (zone) o.zone = zone;
  if (iface) o.interface = { name: iface };
  return o;
}

function traffic(r: Rec, d: Draft, t: TimeReader, cls: 'allowed' | 'denied' | undefined): void {
  const { out, event, panos } = d;
  event.category = ['network'];
  const type = ['connection'];
  if (d.subtype === 'start') type.push('start');
  else if (d.subtype === 'end') type.push('end');
  if (cls) type.push(cls);
  event.type = type;
  const source = out.source as EcsObject;
  const destination = out.destination as EcsObject;
  const network = out.network as EcsObject;
  const sent = int(r, F.bytes_sent, d.errors);
  if (sent !== undefined) source.bytes = sent;
  const received = int(r, F.bytes_received, d.errors);
  if (received !== undefined) destination.bytes = received;
  const bytes = int(r, F.bytes, d.errors);
  if (bytes !== undefined) network.bytes = bytes;
  const pSent = int(r, F.pkts_sent, d.errors);
  if (pSent !== undefined) source.packets = pSent;
  const pReceived = int(r, F.pkts_received, d.errors);
  if (pReceived !== undefined) destination.packets = pReceived;
  const packets = int(r, F.packets, d.errors);
  if (packets !== undefined) network.packets = packets;
  const start = t.millis(r, F.start, d.errors);
  const elapsed = int(r, F.elapsed, d.errors);
  if (start !== undefined) {
    event.start = t.iso(start);
    const end = elapsed === undefined ? NaN : start + elapsed * 1000;
    // An absurd elapsed time (a corrupted or hostile field) leaves the end unset; the duration shows it.
    if (d.subtype === 'end' && isTimeValue(end)) event.end = t.iso(end);
  }
  const duration = elapsed === undefined ? undefined : nanosFrom(elapsed, 1e9);
  if (duration !== undefined) event.duration = duration;
  const reason = str(r, F.session_end_reason);
  if (reason) event.reason = reason;
  const category = str(r, F.category);
  if (category) panos.url = { category };
}

/** `name(id)`, `(9999)` for URL filtering, `Suspicious DNS Query (generic:x.example)(109001001)`. */
const THREAT_ID = /^(.*?)\s*\((\d+)\)\s*$/s;

function threat(r: Rec, d: Draft, cls: 'allowed' | 'denied' | undefined): void {
  const { out, event, panos } = d;
  const subtype = d.subtype ?? '';
  const category = str(r, F.category);
  const verdict = category?.toLowerCase();
  const alert =
    THREAT_ALERT_SUBTYPES.has(subtype) || (verdict !== undefined && MALICIOUS_VERDICTS.has(verdict) && (subtype === 'url' || FILE_SUBTYPES.has(subtype)));
  event.kind = alert ? 'alert' : 'event';
  const categories = ['intrusion_detection', 'threat', 'network'];
  if (subtype === 'url') categories.push('web');
  else if (subtype === 'virus' || subtype === 'wildfire-virus' || (subtype === 'wildfire' && alert)) categories.push('malware');
  else if (FILE_SUBTYPES.has(subtype)) categories.push('file');
  event.category = categories;
  event.type = cls ? [cls] : ['info'];

  const threatText = str(r, F.threatid);
  const threatObj: EcsObject = {};
  if (threatText && /^\d+$/.test(threatText)) threatObj.id = threatText; // SLS: ThreatID alone, ThreatName apart
  else if (threatText) {
    const m = THREAT_ID.exec(threatText);
    if (m) {
      threatObj.id = m[2]!;
      const name = m[1]!.trim();
      if (name) threatObj.name = name;
      else if (m[2] === '9999') threatObj.name = 'URL-filtering';
    } else threatObj.name = threatText;
  }
  const threatName = str(r, F.threat_name);
  if (threatName) threatObj.name = threatName;
  if (threatObj.id !== undefined || threatObj.name !== undefined) panos.threat = threatObj;
  if (category) panos.url = { category };

  const direction = str(r, F.direction);
  if (direction) {
    // SLS writes DirectionOfAttack with spaces (`client to server`).
    const dir = DIRECTION[direction.replace(/ /g, '-')];
    if (dir) (out.network as EcsObject).direction = dir;
    panos.direction = direction;
  }

  const misc = str(r, F.misc);
  if (misc) {
    if (subtype === 'url' || (!FILE_SUBTYPES.has(subtype) && /^[a-z][a-z0-9+.-]*:\/\//i.test(misc))) {
      const url = urlFields(misc);
      out.url = url;
      if (url.domain && !(out.destination as EcsObject).domain) (out.destination as EcsObject).domain = url.domain as string;
    } else if (FILE_SUBTYPES.has(subtype)) out.file = { name: misc };
    else panos.threat_resource = misc;
  }
  const urlDomain = str(r, F.url_domain);
  if (urlDomain && !out.url) {
    const dd = splitDomain(urlDomain);
    out.url = { domain: dd?.domain ?? urlDomain };
    (out.destination as EcsObject).domain = dd?.domain ?? urlDomain;
  }
  const digest = str(r, F.filedigest);
  if (digest && /^[0-9a-f]{64}$/i.test(digest)) {
    const file = (out.file as EcsObject | undefined) ?? {};
    file.hash = { sha256: digest.toLowerCase() };
    out.file = file;
  }
  const filetype = str(r, F.filetype);
  if (filetype) panos.file_type = filetype;

  const http: EcsObject = {};
  const request: EcsObject = {};
  const method = str(r, F.http_method);
  if (method && method !== 'unknown') request.method = method.toUpperCase();
  const referer = str(r, F.referer);
  if (referer) request.referrer = referer;
  if (Object.keys(request).length) http.request = request;
  const contentType = str(r, F.contenttype);
  if (contentType) {
    http.response = { mime_type: contentType };
    panos.http_content_type = contentType;
  }
  if (Object.keys(http).length) out.http = http;
  const ua = str(r, F.user_agent);
  if (ua) out.user_agent = parseUserAgent(ua);
  const xff = str(r, F.xff);
  if (xff) {
    panos.x_forwarded_for = xff;
    const first = ipList(xff)[0];
    const network = out.network as EcsObject;
    if (first && !network.forwarded_ip) network.forwarded_ip = first;
  }
  const sender = str(r, F.sender);
  const subject = str(r, F.subject);
  const recipient = str(r, F.recipient);
  if (sender || subject || recipient) {
    const email: EcsObject = {};
    if (sender) email.from = { address: [sender] };
    if (recipient) email.to = { address: [recipient] };
    if (subject) email.subject = subject;
    out.email = email;
  }
  const report = str(r, F.reportid);
  if (report && report !== '0') panos.wildfire = { report_id: report };
  copyThreat(r, panos);
}

const THREAT_VENDOR: [number, string][] = [
  [F.thr_category, 'threat_category'],
  [F.contentver, 'content_version'],
  [F.pcap_id, 'pcap_id'],
  [F.cloud, 'cloud'],
  [F.url_idx, 'url_idx'],
  [F.url_category_list, 'url_category_list'],
  [F.ppid, 'payload_protocol_id'],
  [F.partial_hash, 'partial_hash'],
  [F.reason, 'reason'],
  [F.justification, 'justification'],
];
const copyThreat = compileCopy(THREAT_VENDOR);

/** THREAT url values have no scheme (`consent.cmp.oath.com/`): parse as http, keep what was logged as original. */
function urlFields(value: string): EcsObject {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return parseUrl(value);
  const url = parseUrl(`http://${value}`);
  delete url.scheme;
  delete url.full;
  url.original = value;
  return url;
}
