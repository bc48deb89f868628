import { openStore } from '../../store/open.js';

/**
 * Test correlations over built-in rules that fire in the demo scenario, so that every correlation
 * type runs (the built-ins have event_count only), eager (gte) and decided when windows close (lt).
 * `generate: true` keeps the base rules' own alerts, so suppression is exercised too.
 */
export const TEST_CORRELATIONS = `title: Bazar Loader beacons to several paths
id: 6f7d0c52-7a11-4a5e-9f00-000000000001
level: high
correlation:
    type: value_count
    rules: [dd40b1db-fa49-4770-afc8-63e33ca1bea1]
    group-by: [src_ip]
    timespan: 1h
    condition: {field: c-uri-stem, gte: 3}
    generate: true
---
title: Telegram bot API looked up and requested by one host
id: 6f7d0c52-7a11-4a5e-9f00-000000000002
level: high
correlation:
    type: temporal
    rules: [e56e032f-013d-4927-8e3d-fcc19825f4e8, 5340987a-808d-47cf-b6bd-fa0c519b889f]
    group-by: [src_ip]
    timespan: 10m
    generate: true
---
title: Telegram bot API looked up, then requested
id: 6f7d0c52-7a11-4a5e-9f00-000000000003
level: critical
correlation:
    type: temporal_ordered
    rules: [e56e032f-013d-4927-8e3d-fcc19825f4e8, 5340987a-808d-47cf-b6bd-fa0c519b889f]
    group-by: [src_ip]
    timespan: 10m
    generate: true
---
title: Burp Suite requests from one client, counted when the window closes
id: 6f7d0c52-7a11-4a5e-9f00-000000000004
level: medium
correlation:
    type: event_count
    rules: [dd3c1c55-0052-46b8-907a-0825154665c5]
    group-by: [c-ip]
    timespan: 30m
    condition: {lt: 1000}
    generate: true
`;

/** The correlations the comparison must see alerts of: one per type (and the built-in burst). */
export const EXPECTED_RULES: Record<string, string> = {
  event_count: '1fa2c55f-8f63-4daf-b30b-e5b59ac9b424',
  value_count: '6f7d0c52-7a11-4a5e-9f00-000000000001',
  temporal: '6f7d0c52-7a11-4a5e-9f00-000000000002',
  temporal_ordered: '6f7d0c52-7a11-4a5e-9f00-000000000003',
  'event_count (lt)': '6f7d0c52-7a11-4a5e-9f00-000000000004',
};

/**
 * An alert as the parity compares it: rule, key, the events behind it. Not `details.suppressed`: one
 * process releases a kept alert once the newest event time it has read (in input order, across
 * datasets) passes the alert's window, and counts later duplicates in its summary only; the pass
 * reads in event-time order and counts more of them into the alert (docs/scale-out.md).
 */
export interface Compared {
  id: string;
  rule: string;
  key: unknown;
  eventIds: string[];
  kind: string;
}

export async function alertsOf(url: string): Promise<Compared[]> {
  const store = await openStore(url, { readOnly: true });
  try {
    const r = await store.query('SELECT id, rule_id, key, event_ids, rule_kind FROM alerts ORDER BY id');
    return r.rows.map(([id, rule, key, ids, kind]) => ({
      id: String(id), rule: String(rule), key: JSON.parse(String(key)) as unknown, eventIds: (ids as string[]).map(String), kind: String(kind),
    }));
  } finally {
    await store.close();
  }
}

