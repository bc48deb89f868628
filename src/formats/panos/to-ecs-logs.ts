import type { EcsObject } from '../../ecs/event.js';
import { ipVersion } from '../../ecs/ip.js';
import { nanosFrom } from '../../ecs/time.js';
import { F, type Rec } from './layouts.js';
import { LOG_CATEGORY, OUTCOME_WORDS, lookup } from './mappings.js';
import { int, ip, maybeIp, port, str, type TimeReader } from './read.js';
import { copy } from './copy.js';
import type { Draft } from './to-ecs.js';
import { mac, userObject } from './to-ecs-session.js';
import { authPieces, isAuthEvent } from './system-auth.js';

/** SYSTEM, CONFIG, USERID, GLOBALPROTECT, HIPMATCH, AUTHENTICATION and types without a table. */
export function mapLog(r: Rec, d: Draft, t: TimeReader): void {
  const cats = LOG_CATEGORY[d.type];
  d.event.category = cats ? [...(cats[d.subtype ?? ''] ?? cats['*']!)] : ['host'];
  d.event.type = ['info'];
  const fn = BY_TYPE[d.type];
  if (fn) fn(r, d, t);
}

function outcomeOf(...texts: (string | undefined)[]): 'success' | 'failure' | undefined {
  for (const text of texts) {
    if (!text) continue;
    for (const [re, outcome] of OUTCOME_WORDS) if (re.test(text)) return outcome;
  }
  return undefined;
}

function setUser(d: Draft, raw: string | undefined): void {
  const user = userObject(raw);
  if (user) {
    d.out.user = user;
    d.out.source = { ...(d.out.source as EcsObject | undefined), user: { ...user } };
  }
}

function setSourceIp(d: Draft, value: string | undefined, p?: number): void {
  if (!value) return;
  const source = (d.out.source as EcsObject | undefined) ?? {};
  source.ip = source.address = value;
  if (p !== undefined) source.port = p;
  d.out.source = source;
  d.out.network = { type: ipVersion(value) };
}

const BY_TYPE = lookup<(r: Rec, d: Draft, t: TimeReader) => void>({
  SYSTEM(r, d) {
    const eventId = str(r, F.eventid);
    if (eventId) d.event.action = eventId;
    const message = str(r, F.opaque);
    if (message) d.out.message = message;
    const auth = message !== undefined && isAuthEvent(eventId, d.subtype, message);
    const outcome = auth ? outcomeOf(eventId, message) : outcomeOf(eventId);
    if (outcome) d.event.outcome = outcome;
    copy(r, d.panos, [[F.object, 'object'], [F.module, 'module'], [F.eventid, 'event_id']]);
    if (auth) systemAuth(d, message);
  },

  CONFIG(r, d) {
    d.event.type = ['change'];
    const cmd = str(r, F.cmd);
    if (cmd) d.event.action = cmd;
    setUser(d, str(r, F.admin));
    const host = str(r, F.host);
    const hostIp = maybeIp(r, F.host);
    if (hostIp) setSourceIp(d, hostIp);
    else if (host) d.out.source = { ...(d.out.source as EcsObject | undefined), address: host, domain: host };
    const result = str(r, F.result);
    const outcome = outcomeOf(result);
    if (outcome) d.event.outcome = outcome;
    const path = str(r, F.path);
    if (cmd || path) d.out.message = [cmd, path].filter(Boolean).join(' ');
    const config: EcsObject = {};
    copy(r, config, [[F.path, 'path'], [F.before_change_detail, 'before'], [F.after_change_detail, 'after'], [F.client, 'client'], [F.result, 'result'], [F.comment, 'comment'], [F.dg_id, 'device_group']]);
    if (Object.keys(config).length) d.panos.config = config;
  },

  USERID(r, d) {
    setSourceIp(d, ip(r, F.ip, d.errors), port(r, F.beginport, d.errors));
    setUser(d, str(r, F.user));
    if (d.subtype === 'login') d.event.type = ['start'];
    else if (d.subtype === 'logout') d.event.type = ['end'];
    const timeout = int(r, F.timeout, d.errors);
    const userid: EcsObject = {};
    if (timeout !== undefined) userid.timeout = timeout;
    copy(r, userid, [[F.datasourcename, 'source_name'], [F.datasource, 'source'], [F.datasourcetype, 'source_type'], [F.eventid, 'event_id'], [F.factortype, 'factor_type'], [F.tag_name, 'tag_name'], [F.endport, 'end_port']]);
    if (Object.keys(userid).length) d.panos.userid = userid;
  },

  GLOBALPROTECT(r, d) {
    const eventId = str(r, F.eventid);
    if (eventId) d.event.action = eventId;
    setUser(d, str(r, F.srcuser));
    // Both address families are read (and a malformed one noted), the IPv4 one first where one is wanted.
    const public4 = ip(r, F.public_ip, d.errors);
    const public6 = ip(r, F.public_ipv6, d.errors);
    setSourceIp(d, public4 ?? public6);
    const region = str(r, F.srcregion);
    if (region && d.out.source) (d.out.source as EcsObject).geo = { name: region };
    const private4 = ip(r, F.private_ip, d.errors);
    const private6 = ip(r, F.private_ipv6, d.errors);
    const privateIp = private4 ?? private6;
    const status = str(r, F.status);
    const outcome = outcomeOf(status);
    if (outcome) d.event.outcome = outcome;
    if (/logout|disconnect/i.test(eventId ?? '')) d.event.type = ['end'];
    else if (/connected|login|auth/i.test(eventId ?? '')) d.event.type = ['start'];
    const reason = str(r, F.reason);
    if (reason) d.event.reason = reason;
    const error = str(r, F.error);
    if (error) d.out.error = { message: error, ...(str(r, F.error_code) ? { code: str(r, F.error_code)! } : {}) };
    const message = str(r, F.opaque);
    if (message) d.out.message = message;
    const hostObj: EcsObject = {};
    const machine = str(r, F.machinename);
    if (machine) hostObj.hostname = hostObj.name = machine;
    const os = str(r, F.client_os);
    if (os) hostObj.os = { name: os, ...(str(r, F.client_os_ver) ? { version: str(r, F.client_os_ver)! } : {}) };
    const hostId = str(r, F.hostid);
    if (hostId) hostObj.id = hostId;
    const hostIps = [private4, private6].filter((a): a is string => a !== undefined && a !== '0.0.0.0' && a !== '::');
    if (hostIps.length) hostObj.ip = hostIps;
    if (Object.keys(hostObj).length) d.out.host = hostObj;
    const duration = int(r, F.login_duration, d.errors);
    const nanos = duration === undefined ? undefined : nanosFrom(duration, 1e9);
    if (nanos !== undefined) d.event.duration = nanos;
    const gp: EcsObject = {};
    if (privateIp) gp.private_ip = privateIp;
    if (private4 && private6) gp.private_ipv6 = private6;
    if (public4 && public6) gp.public_ipv6 = public6;
    copy(r, gp, GP_VENDOR);
    if (Object.keys(gp).length) d.panos.globalprotect = gp;
  },

  HIPMATCH(r, d) {
    setUser(d, str(r, F.srcuser));
    setSourceIp(d, ip(r, F.src, d.errors) ?? ip(r, F.srcipv6, d.errors));
    const match = str(r, F.matchname);
    if (match) {
      d.out.rule = { name: match };
      d.event.action = 'hip_match';
    }
    const hostObj: EcsObject = {};
    const machine = str(r, F.machinename);
    if (machine) hostObj.hostname = hostObj.name = machine;
    const os = str(r, F.os);
    if (os) hostObj.os = { name: os };
    const hostId = str(r, F.hostid);
    if (hostId) hostObj.id = hostId;
    const m = mac(str(r, F.mac));
    if (m) hostObj.mac = [m];
    if (Object.keys(hostObj).length) d.out.host = hostObj;
    copy(r, d.panos, [[F.matchname, 'hip_match_name'], [F.matchtype, 'hip_match_type'], [F.serialnumber, 'host_serial_number']]);
  },

  CORRELATION(r, d) {
    setUser(d, str(r, F.srcuser));
    setSourceIp(d, ip(r, F.src, d.errors));
    // A correlation object names a pattern of activity: an alert when rated high or critical (as PAN's add-on reads it).
    const severity = str(r, F.severity)?.toLowerCase();
    if (severity === 'high' || severity === 'critical') d.event.kind = 'alert';
    const object = str(r, F.objectname);
    if (object) d.out.rule = { name: object, ...(str(r, F.object_id) ? { id: str(r, F.object_id)! } : {}) };
    const evidence = str(r, F.evidence);
    if (evidence) d.out.message = evidence;
    copy(r, d.panos, [[F.category, 'threat_category']]);
  },

  IPTAG(r, d) {
    setSourceIp(d, ip(r, F.src, d.errors));
    const eventId = str(r, F.eventid);
    if (eventId) d.event.action = eventId.toLowerCase();
    const timeout = int(r, F.timeout, d.errors);
    const tag: EcsObject = {};
    if (timeout !== undefined) tag.timeout = timeout;
    copy(r, tag, [[F.tag_name, 'tag_name'], [F.datasourcename, 'source_name'], [F.datasource_type, 'source_type'], [F.datasource_subtype, 'source_subtype']]);
    if (Object.keys(tag).length) d.panos.iptag = tag;
  },

  AUTHENTICATION(r, d) {
    setUser(d, str(r, F.normalize_user) ?? str(r, F.user));
    setSourceIp(d, ip(r, F.ip, d.errors));
    const what = str(r, F.event);
    if (what) d.event.action = what;
    const policy = str(r, F.authpolicy);
    const ruleUuid = str(r, F.rule_uuid);
    if (policy || ruleUuid) d.out.rule = { ...(policy ? { name: policy } : {}), ...(ruleUuid ? { uuid: ruleUuid } : {}) };
    const desc = str(r, F.desc);
    if (desc) d.out.message = desc;
    const outcome = outcomeOf(what, desc);
    if (outcome) d.event.outcome = outcome;
    d.event.type = ['start'];
    const ua = str(r, F.user_agent);
    if (ua) d.out.user_agent = { original: ua };
    const auth: EcsObject = {};
    copy(r, auth, [[F.object, 'object'], [F.authid, 'id'], [F.vendor, 'vendor'], [F.serverprofile, 'server_profile'], [F.clienttype, 'client_type'], [F.factorno, 'factor_number'], [F.authproto, 'protocol'], [F.region, 'region']]);
    if (Object.keys(auth).length) d.panos.auth = auth;
    const session = str(r, F.sessionid);
    if (session) d.panos.session_id = session;
  },
});

/** Who logged in, from where and how, read from a SYSTEM authentication event's description. */
function systemAuth(d: Draft, description: string): void {
  const p = authPieces(description);
  if (!d.event.category?.includes('authentication')) d.event.category = ['authentication'];
  d.event.type = [/\blogged out\b/i.test(description) ? 'end' : 'start'];
  setUser(d, p.user);
  const port = p.source_port === undefined ? undefined : Number(p.source_port);
  setSourceIp(d, p.source_ip, port !== undefined && port <= 65535 ? port : undefined);
  if (p.reason) d.event.reason = p.reason;
  if (p.vsys && d.panos.virtual_sys === undefined) d.panos.virtual_sys = p.vsys;
  const auth: EcsObject = {};
  if (p.auth_profile) auth.profile = p.auth_profile;
  if (p.server_profile) auth.server_profile = p.server_profile;
  if (p.server_address) auth.server_address = p.server_address;
  if (p.method) auth.method = p.method;
  if (Object.keys(auth).length) d.panos.auth = auth;
  if (p.client_version || p.private_ip) {
    const gp: EcsObject = {};
    if (p.client_version) gp.client_version = p.client_version;
    if (p.private_ip) gp.private_ip = p.private_ip;
    d.panos.globalprotect = gp;
  }
}

const GP_VENDOR: [number, string][] = [
  [F.stage, 'stage'],
  [F.auth_method, 'auth_method'],
  [F.tunnel_type, 'tunnel_type'],
  [F.client_ver, 'client_version'],
  [F.status, 'status'],
  [F.location, 'location'],
  [F.connect_method, 'connect_method'],
  [F.portal, 'portal'],
  [F.gateway, 'gateway'],
  [F.selection_type, 'selection_type'],
  [F.priority, 'priority'],
  [F.attempted_gateways, 'attempted_gateways'],
  [F.serialnumber, 'host_serial_number'],
];
