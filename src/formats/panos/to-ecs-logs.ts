import type { EcsObject } from '../../ecs/event.js';
import { ipVersion } from '../../ecs/ip.js';
import { nanosFrom } from '../../ecs/time.js';
import { F, type Rec } from './layouts.js';
import { LOG_CATEGORY, OUTCOME_WORDS, lookup } from './mappings.js';
import { int, ip, maybeIp, port, str, type TimeReader } from './read.js';
import { copy } from './copy.js';
import type { Draft } from './to-ecs.js';
import { mac, userObject } from './to-ecs-session.js';

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
    const outcome = outcomeOf(eventId);
    if (outcome) d.event.outcome = outcome;
    copy(r, d.panos, [[F.object, 'object'], [F.module, 'module'], [F.eventid, 'event_id']]);
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
    setSourceIp(d, ip(r, F.ip), port(r, F.beginport));
    setUser(d, str(r, F.user));
    if (d.subtype === 'login') d.event.type = ['start'];
    else if (d.subtype === 'logout') d.event.type = ['end'];
    const timeout = int(r, F.timeout);
    const userid: EcsObject = {};
    if (timeout !== undefined) userid.timeout = timeout;
    copy(r, userid, [[F.datasourcename, 'source_name'], [F.datasource, 'source'], [F.datasourcetype, 'source_type'], [F.eventid, 'event_id'], [F.factortype, 'factor_type'], [F.tag_name, 'tag_name'], [F.endport, 'end_port']]);
    if (Object.keys(userid).length) d.panos.userid = userid;
  },

  GLOBALPROTECT(r, d) {
    const eventId = str(r, F.eventid);
    if (eventId) d.event.action = eventId;
    setUser(d, str(r, F.srcuser));
    setSourceIp(d, ip(r, F.public_ip) ?? ip(r, F.public_ipv6));
    const region = str(r, F.srcregion);
    if (region && d.out.source) (d.out.source as EcsObject).geo = { name: region };
    const privateIp = ip(r, F.private_ip) ?? ip(r, F.private_ipv6);
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
    if (privateIp) hostObj.ip = [privateIp];
    if (Object.keys(hostObj).length) d.out.host = hostObj;
    const duration = int(r, F.login_duration);
    const nanos = duration === undefined ? undefined : nanosFrom(duration, 1e9);
    if (nanos !== undefined) d.event.duration = nanos;
    const gp: EcsObject = {};
    if (privateIp) gp.private_ip = privateIp;
    copy(r, gp, GP_VENDOR);
    if (Object.keys(gp).length) d.panos.globalprotect = gp;
  },

  HIPMATCH(r, d) {
    setUser(d, str(r, F.srcuser));
    setSourceIp(d, ip(r, F.src) ?? ip(r, F.srcipv6));
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

  AUTHENTICATION(r, d) {
    setUser(d, str(r, F.normalize_user) ?? str(r, F.user));
    setSourceIp(d, ip(r, F.ip));
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
