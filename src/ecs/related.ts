import type { EcsEvent, EcsObject, EcsValue } from './event.js';

// Which fields feed which `related.*` list: data, so every format gets the same behaviour.
const RELATED_SOURCES: Record<'ip' | 'hosts' | 'user' | 'hash', string[][]> = {
  ip: [
    'source.ip', 'source.nat.ip', 'destination.ip', 'destination.nat.ip', 'client.ip', 'server.ip',
    'network.forwarded_ip', 'host.ip', 'dns.resolved_ip',
  ].map((p) => p.split('.')),
  hosts: ['destination.domain', 'source.domain', 'host.name', 'host.hostname', 'dns.question.name', 'server.domain', 'client.domain'].map(
    (p) => p.split('.'),
  ),
  user: ['user.name', 'user.email', 'source.user.name', 'destination.user.name', 'user.target.name'].map((p) => p.split('.')),
  hash: ['file.hash.md5', 'file.hash.sha1', 'file.hash.sha256', 'process.hash.md5', 'process.hash.sha1', 'process.hash.sha256', 'tls.client.ja3', 'tls.client.ja4'].map((p) => p.split('.')),
};

type Accessor = (e: EcsObject) => EcsValue | undefined;

// Compiled once from the constant table above (never from input): a direct property chain is several
// times faster than walking a path array for every field of every event.
function accessor(path: string[]): Accessor {
  const body = `return e${path.map((p) => `?.[${JSON.stringify(p)}]`).join('')};`;
  return new Function('e', body) as Accessor;
}

const ACCESSORS = {
  ip: RELATED_SOURCES.ip.map(accessor),
  hosts: RELATED_SOURCES.hosts.map(accessor),
  user: RELATED_SOURCES.user.map(accessor),
  hash: RELATED_SOURCES.hash.map(accessor),
};

function collect(into: string[], v: EcsValue | undefined): void {
  if (v === undefined || v === null) return;
  if (Array.isArray(v)) {
    for (const x of v) collect(into, x);
    return;
  }
  if (typeof v === 'string' && v !== '' && !into.includes(v)) into.push(v);
}

/**
 * Fills `related.ip`, `related.hosts`, `related.user` and `related.hash` from the event's own fields,
 * keeping values a format already put there (e.g. every address of an X-Forwarded-For chain).
 */
export function fillRelated(event: EcsEvent): void {
  const related: EcsObject = (event.related as EcsObject | undefined) ?? {};
  for (const key of ['ip', 'hosts', 'user', 'hash'] as const) {
    const list: string[] = Array.isArray(related[key]) ? (related[key] as string[]) : [];
    for (const get of ACCESSORS[key]) collect(list, get(event));
    if (list.length) related[key] = list;
  }
  if (Object.keys(related).length) event.related = related as EcsEvent['related'];
}
