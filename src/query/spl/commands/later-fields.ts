import type { Ctx, Ref, Scope } from '../context.js';
import type { Located } from '../errors.js';

/** Candidate field names in query text: words as Splunk names fields (`userIdentity.userName`, `items{}.id`). */
const NAME = /[A-Za-z_][\w.{}@]*/g;
/** A wildcard outside quoted values: a field list (`table *`, `values(*)`, `rename a.* as *`) naming fields not known here. */
const WILDCARD = /\*/;
const QUOTED = /"(?:[^"\\]|\\.)*"/g;

/**
 * The fields of raw events that a command acting on "every field" (fillnull without a field list,
 * transaction) must treat, where packettrail cannot list every field Splunk would extract: those the
 * rest of the query (`after`, its text) names — a superset, taken from the text —, the default
 * fields shown with raw events and the fields the pipeline made. Each resolves on the events; names
 * nothing defines are left out. A wildcard in the rest of the query would reach fields outside that
 * set: refused, naming `command`.
 */
export function fieldsNamedLater(ctx: Ctx, scope: Scope, after: string, command: string, at: Located): { name: string; ref: Ref }[] {
  if (WILDCARD.test(after.replace(QUOTED, '""'))) {
    throw ctx.error(`${command} on raw events followed by a wildcard ('*') is not supported: the fields it treats are the ones the rest of the query names`, at);
  }
  const names = new Set<string>();
  for (const c of ctx.aliases.defaultFields) if (c !== 'timestamp' && scope.cols.has(c) && ctx.hasColumn(c)) names.add(c);
  for (const c of scope.cols.keys()) if (!ctx.catalog.has(c)) names.add(c);
  for (const m of after.matchAll(NAME)) names.add(m[0]);
  const out: { name: string; ref: Ref }[] = [];
  for (const name of names) {
    if (name.startsWith('__pt')) continue;
    const ref = ctx.find(scope, name);
    if (ref) out.push({ name, ref });
  }
  return out;
}
