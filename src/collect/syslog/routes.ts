import { compileRegex, type SafeRegex } from '../../util/re2.js';
import { wildcardMatch } from '../../util/wildcard.js';
import { readFormatId, readFormatOptions } from '../format-choice.js';
import type { ConfigReader } from '../config-reader.js';
import type { SyslogMessage } from './header.js';

/**
 * Routing of syslog messages to log formats: one syslog port usually carries several products
 * (PAN-OS firewalls, a Zscaler NSS, Umbrella via a relay). Routes are tried in order; each matches
 * on app-name, hostname (exact or `*` wildcards) and/or a regex over the start of the body; the first
 * match decides the format. Messages no route takes go to the default route, or are dead-lettered.
 */
export interface RouteTarget {
  format: string;
  options: Record<string, string>;
  /** Hand the whole message (header included) to the format rather than only the body. */
  keepHeader: boolean;
  /** For counts and dead letters: `routes[2]`, `default`. */
  label: string;
}

interface Route extends RouteTarget {
  appName?: Matcher;
  hostname?: Matcher;
  body?: SafeRegex;
}

type Matcher = (value: string | undefined) => boolean;

/** Formats whose parsers read the syslog header themselves (host name → observer): they get the whole line by default. */
const READS_SYSLOG_HEADER = new Set(['panw.panos', 'zscaler.zia']);
/** Body regexes see at most this much of the body, so a route costs a bounded time per message. */
export const BODY_MATCH_CHARS = 4096;

export class SyslogRouter {
  constructor(
    private readonly routes: Route[],
    private readonly fallback: RouteTarget | undefined,
  ) {}

  route(m: SyslogMessage): RouteTarget | undefined {
    for (const r of this.routes) {
      if (r.appName && !r.appName(m.appName)) continue;
      if (r.hostname && !r.hostname(m.hostname)) continue;
      if (r.body && !r.body.test(m.body.length > BODY_MATCH_CHARS ? m.body.slice(0, BODY_MATCH_CHARS) : m.body)) continue;
      return r;
    }
    return this.fallback;
  }

  /** Why a message was not routed, for its dead letter. */
  unroutedReason(m: SyslogMessage): string {
    const who = [m.hostname ? `hostname '${m.hostname.slice(0, 64)}'` : 'no hostname', m.appName ? `app-name '${m.appName.slice(0, 48)}'` : 'no app-name'].join(', ');
    return `syslog message matched none of the ${this.routes.length} routes (${who}) and there is no default route`;
  }
}

/** Reads `routes` and `default` of a syslog input section; undefined when they have issues. */
export function readRouter(s: ConfigReader): SyslogRouter | undefined {
  const before = s.issues.length;
  const routes: Route[] = [];
  for (const r of s.sections('routes')) {
    const target = readTarget(r, r.at.slice(r.at.lastIndexOf('.') + 1));
    const app = r.strings('app_name');
    const host = r.strings('hostname');
    const body = r.string('body', { expected: 'a regular expression' });
    r.finish();
    if (!app.length && !host.length && body === undefined) r.issue('format', 'a route needs at least one of app_name, hostname, body (use `default` for the rest)');
    if (!target) continue;
    const route: Route = { ...target };
    if (app.length) route.appName = nameMatcher(app);
    if (host.length) route.hostname = nameMatcher(host);
    if (body !== undefined) {
      try {
        route.body = compileRegex(body);
      } catch (e) {
        r.issue('body', (e as Error).message);
        continue;
      }
    }
    routes.push(route);
  }
  let fallback: RouteTarget | undefined;
  if (typeof s.raw.default === 'string') {
    const format = readFormatId(s, 'default', s.raw.default);
    s.has('default');
    if (format) fallback = target(format, {}, 'format-default', 'default');
  } else {
    const d = s.section('default');
    if (d) {
      fallback = readTarget(d, 'default');
      d.finish();
    }
  }
  if (!routes.length && !fallback && s.issues.length === before) s.issue('routes', 'no routes and no default: every message would be dead-lettered');
  return s.issues.length === before ? new SyslogRouter(routes, fallback) : undefined;
}

function readTarget(r: ConfigReader, label: string): RouteTarget | undefined {
  const format = readFormatId(r);
  const options = readFormatOptions(r);
  const header = r.oneOf('header', ['keep', 'strip', 'format-default'], 'format-default');
  return format === undefined ? undefined : target(format, options, header, label);
}

function target(format: string, options: Record<string, string>, header: string, label: string): RouteTarget {
  const keepHeader = header === 'keep' || (header === 'format-default' && READS_SYSLOG_HEADER.has(format));
  return { format, options, keepHeader, label };
}

/**
 * Exact names, or `*` wildcards (`fw-*`), compared case-insensitively as host names are. Not a
 * RegExp: `fw-*-*-*-*-edge` backtracked for 1.7 s on V8 per crafted 255-character host name.
 */
function nameMatcher(patterns: string[]): Matcher {
  const exact = new Set<string>();
  const wild: string[] = [];
  for (const p of patterns) {
    if (p.includes('*')) wild.push(p);
    else exact.add(p.toLowerCase());
  }
  return (v) => v !== undefined && v.length <= 255 && (exact.has(v.toLowerCase()) || wild.some((p) => wildcardMatch(p, v, { caseInsensitive: true })));
}
