import { existsSync } from 'node:fs';
import { builtinRulesDir } from '../../detect/spec.js';
import { createMatcher, loadRules } from '../../detect/sigma/index.js';
import { storeTables, timeAsText } from './store-sql.js';
import type { ServerContext } from '../context.js';
import type { ApiRoute } from './define.js';

interface LoadedRule {
  id: string;
  title: string;
  level: string;
  kind: string;
  status?: string;
  description?: string;
  author?: string;
  link?: string;
  path?: string;
  formats: string[];
}

export interface RuleCatalog {
  rules: LoadedRule[];
  /** Rule files that failed to load, with the reason. */
  errors: { path: string; message: string }[];
}

/** The rules the server lists: the built-in directory plus `--rules` paths, loaded once (the rule loader of src/detect/). */
export function loadRuleCatalog(extra: readonly string[]): RuleCatalog {
  const builtin = builtinRulesDir();
  const paths = [...(existsSync(builtin) ? [builtin] : []), ...extra];
  if (!paths.length) return { rules: [], errors: [] };
  const rs = loadRules(paths);
  const formats = new Map<string, string[]>();
  for (const [format, rules] of createMatcher(rs).rulesByFormat) for (const r of rules) formats.set(r.ruleId, [...(formats.get(r.ruleId) ?? []), format]);
  const rules: LoadedRule[] = [
    ...rs.rules.map((r) => ({ id: r.ruleId, title: r.meta.title, level: r.meta.level, kind: 'sigma', status: r.meta.status, description: r.meta.description, author: r.meta.author, link: r.meta.link, path: r.meta.path, formats: formats.get(r.ruleId) ?? [] })),
    ...rs.correlations.map((c) => ({ id: c.ruleId, title: c.meta.title, level: c.meta.level, kind: `correlation (${c.correlationType})`, status: c.meta.status, description: c.meta.description, author: c.meta.author, link: c.meta.link, path: c.meta.path, formats: [] })),
  ];
  return { rules, errors: rs.errors.map((e) => ({ path: `${e.path}:${e.line ?? ''}`, message: e.message })) };
}

async function rulesWithHits(ctx: ServerContext) {
  const hits = new Map<string, { hits: number; last: string; title: string; level: string; kind: string }>();
  if ((await storeTables(ctx.store)).has('alerts')) {
    const fn = ctx.store.dialect.fn;
    const r = await ctx.store.query(
      `SELECT rule_id, count(*), ${timeAsText(ctx.store, 'max(timestamp)')}, ${fn.anyValue('rule_title')}, ${fn.anyValue('level')}, ${fn.anyValue('rule_kind')} FROM alerts GROUP BY rule_id`,
    );
    for (const [id, n, last, title, level, kind] of r.rows) hits.set(String(id), { hits: Number(n), last: String(last), title: String(title), level: String(level), kind: String(kind) });
  }
  const catalog = ctx.rules();
  const loaded = new Set(catalog.rules.map((r) => r.id));
  const rules = [
    ...catalog.rules.map((r) => ({ ...r, loaded: true, hits: hits.get(r.id)?.hits ?? 0, lastHit: hits.get(r.id)?.last ?? null })),
    // Alerts from rules not loaded here: intel matches, post-ingest analyses, rules given to ingest with --rules.
    ...[...hits].filter(([id]) => !loaded.has(id)).map(([id, h]) => ({ id, title: h.title, level: h.level, kind: h.kind, formats: [], loaded: false, hits: h.hits, lastHit: h.last })),
  ].sort((a, b) => b.hits - a.hits || a.title.localeCompare(b.title));
  return { rules, errors: catalog.errors };
}

export const RULE_ROUTES: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/rules',
    role: 'viewer',
    tag: 'sources',
    summary: 'Loaded detection rules with the formats each applies to and their hit counts in the alerts table.',
    response: { description: 'rules and load errors' },
    handler: (ctx) => rulesWithHits(ctx),
  },
];
