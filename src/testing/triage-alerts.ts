import { buildAlert } from '../detect/alerts/build.js';
import type { Alert, RuleMeta } from '../detect/types.js';
import { ensureAlertsTable, insertAlerts } from '../store/duckdb/alerts.js';
import type { EventStore } from '../store/store.js';

/** A rule title that runs script if the console or a terminal ever renders it as markup or escapes. */
export const HOSTILE_TITLE = `<img src=x onerror="window.__pwned='triage'">\u001b[31mRed Rule`;

const rule = (id: string, title: string): RuleMeta => ({ id, title, level: 'high', kind: 'sigma' }) as RuleMeta;

/**
 * Alerts for the triage tests: three of one rule on host h1 (a group), one of it on h2, one of a
 * rule with a hostile title on h1. Newest first: a3, a5, a2, a4, a1.
 */
export function triageAlerts(): Alert[] {
  const a = rule('rule-a', 'Rule A');
  const b = rule('rule-b', HOSTILE_TITLE);
  const at = (minute: number, host: string, n: number) => ({ '@timestamp': `2026-11-20T08:${String(minute).padStart(2, '0')}:00.000Z`, event: { id: `e-${host}-${n}`, dataset: 'test' }, host: { name: host } });
  const one = (r: RuleMeta, minute: number, host: string, n: number) => buildAlert({ rule: r, events: [at(minute, host, n)] as never, key: { 'host.name': host } }, '2026-11-20T09:00:00.000Z');
  return [one(a, 1, 'h1', 1), one(a, 5, 'h1', 2), one(a, 9, 'h1', 3), one(a, 3, 'h2', 4), one(b, 7, 'h1', 5)];
}

/** Stores the alerts as detection does, on either engine. */
export async function storeTriageAlerts(store: EventStore, alerts: readonly Alert[] = triageAlerts()): Promise<string[]> {
  if (store.insertAlerts) await store.insertAlerts(alerts);
  else {
    await ensureAlertsTable(store);
    await insertAlerts(store, alerts);
  }
  return alerts.map((x) => x.event.id);
}
