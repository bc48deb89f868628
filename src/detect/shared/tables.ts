import type { EventStore } from '../../store/store.js';
import type { EcsEvent } from '../../ecs/event.js';
import type { Match } from '../types.js';

/**
 * Detection shared by several processes feeding one store (docs/scale-out.md, "Detection across
 * workers"): workers store the matches of their rules in `rule_matches`; a correlation pass reads
 * them in event-time order, runs the correlator and the duplicate suppression, stores the alerts and
 * then its state in `correlation_state`.
 *
 * A stored match holds the matched event itself (JSON): alerts carry their events, and correlation
 * group-by fields are read through each format's field map from any ECS path. Re-reading events from
 * the dataset tables would rebuild ECS from columns, which differs per engine (booleans 0/1, empty
 * lists on ClickHouse). Only matches are stored, a small share of the events.
 */
export const MATCHES_TABLE = 'rule_matches';
export const STATE_TABLE = 'correlation_state';

/** `time`: the event's @timestamp in epoch milliseconds (the order the pass reads in). */
export const MATCH_COLUMNS = ['rule_id', 'event_id', 'time', 'event', 'key', 'details'] as const;
/** One row per completed pass: `position` is the event time up to which matches were read. */
export const STATE_COLUMNS = ['position', 'seq', 'written_at', 'state'] as const;
const INTEGER_COLUMNS = new Set(['time', 'position', 'seq']);

/** Column types per engine (ClickHouse's are in store/clickhouse/schema.ts BOOKKEEPING_TABLES, from the same lists). */
export const sharedDetectionColumns = (names: readonly string[], integer: string, text: string) => names.map((name) => ({ name, type: INTEGER_COLUMNS.has(name) ? integer : text }));

const duckdbCreate = (table: string, names: readonly string[]) =>
  `CREATE TABLE IF NOT EXISTS ${table} (${sharedDetectionColumns(names, 'BIGINT', 'VARCHAR').map((c) => `${c.name} ${c.type} NOT NULL`).join(', ')})`;

/** DuckDB's statements of `store init` and of the first write. */
export const DUCKDB_SHARED_DETECTION_TABLES = [duckdbCreate(MATCHES_TABLE, MATCH_COLUMNS), duckdbCreate(STATE_TABLE, STATE_COLUMNS)];

/** Rows per INSERT statement (each row holds an event as JSON: statements stay a few MB). */
export const MATCH_INSERT_ROWS = 200;
/** Rows per read of the pass (keyset paging in event-time order). */
export const MATCH_READ_PAGE_ROWS = 5_000;

const MISSING_TABLE = /does not exist|doesn't exist|UNKNOWN_TABLE|Table .* not found|Catalog Error/i;

/** A match as stored: enough to feed the correlator and build the alert again. */
export interface StoredMatch {
  ruleId: string;
  eventId: string;
  time: number;
  match: Match;
}

/** Position in the pass's reading order: (time, rule id, event id). */
export interface MatchCursor {
  time: number;
  ruleId: string;
  eventId: string;
}

/** The saved state of the last completed pass. */
export interface SavedState {
  position: number;
  seq: number;
  state: unknown;
}

function eventTime(e: EcsEvent): number | undefined {
  const ts = e['@timestamp'];
  const t = typeof ts === 'string' ? Date.parse(ts) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

/** The tables on one store; DuckDB creates them on first use, ClickHouse opens read-write with them. */
export class SharedDetectionTables {
  private ready: Promise<void> | undefined;

  constructor(private readonly store: EventStore) {}

  private ensure(): Promise<void> {
    if (this.store.dialect.name !== 'duckdb') return Promise.resolve();
    this.ready ??= (async () => {
      for (const sql of DUCKDB_SHARED_DETECTION_TABLES) await this.store.query(sql);
    })();
    return this.ready;
  }

  private async read(sql: string, params: Record<string, string | number> = {}): Promise<unknown[][]> {
    await this.ensure();
    try {
      return (await this.store.query(sql, params)).rows;
    } catch (e) {
      if (MISSING_TABLE.test((e as Error).message) && new RegExp(`${MATCHES_TABLE}|${STATE_TABLE}`).test((e as Error).message)) return [];
      throw e;
    }
  }

  /**
   * Stores matches once per (rule id, event id): those already stored are skipped here, and readers
   * skip the copies two processes storing the same match at once can still leave (ClickHouse has no
   * unique keys). Matches without an event id or a time cannot be ordered or told apart: they are
   * returned (the caller counts them).
   */
  async storeMatches(matches: readonly Match[]): Promise<{ stored: number; unusable: Match[] }> {
    await this.ensure();
    const unusable: Match[] = [];
    const byKey = new Map<string, { rule: string; id: string; time: number; m: Match }>();
    for (const m of matches) {
      const id = m.event.event?.id;
      const time = eventTime(m.event);
      if (typeof id !== 'string' || !id || time === undefined) {
        unusable.push(m);
        continue;
      }
      byKey.set(`${m.ruleId}\n${id}`, { rule: m.ruleId, id, time, m });
    }
    const rows = [...byKey.values()];
    let stored = 0;
    for (let i = 0; i < rows.length; i += MATCH_INSERT_ROWS) {
      const some = rows.slice(i, i + MATCH_INSERT_ROWS);
      // The batch's time range first: the table is sorted by time, so the lookup reads that range only.
      const params: Record<string, string | number> = { from: Math.min(...some.map((r) => r.time)), to: Math.max(...some.map((r) => r.time)) };
      some.forEach((r, j) => {
        params[`r${j}`] = r.rule;
        params[`e${j}`] = r.id;
      });
      const known = new Set(
        (await this.read(`SELECT rule_id, event_id FROM ${MATCHES_TABLE} WHERE time >= $from AND time <= $to AND (${some.map((_, j) => `(rule_id = $r${j} AND event_id = $e${j})`).join(' OR ')})`, params)).map(([r, e]) => `${String(r)}\n${String(e)}`),
      );
      const fresh = some.filter((r) => !known.has(`${r.rule}\n${r.id}`));
      if (!fresh.length) continue;
      const values: Record<string, string | number> = {};
      const tuples = fresh.map((r, j) => {
        Object.assign(values, { [`r${j}`]: r.rule, [`e${j}`]: r.id, [`t${j}`]: r.time, [`v${j}`]: JSON.stringify(r.m.event), [`k${j}`]: JSON.stringify(r.m.key ?? null), [`d${j}`]: JSON.stringify(r.m.details ?? null) });
        return `($r${j}, $e${j}, $t${j}, $v${j}, $k${j}, $d${j})`;
      });
      await this.store.query(`INSERT INTO ${MATCHES_TABLE} (${MATCH_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, values);
      stored += fresh.length;
    }
    return { stored, unusable };
  }

  /** The newest event time among stored matches (undefined: none). */
  async newestMatchTime(): Promise<number | undefined> {
    const rows = await this.read(`SELECT max(time), count(*) FROM ${MATCHES_TABLE}`);
    return rows.length && Number(rows[0]![1]) > 0 ? Number(rows[0]![0]) : undefined;
  }

  /**
   * Matches after `from` (exclusive, in (time, rule id, event id) order) whose time is at most `until`,
   * one page; copies of one match are returned once.
   */
  async readMatches(from: MatchCursor, until: number, limit = MATCH_READ_PAGE_ROWS): Promise<StoredMatch[]> {
    const rows = await this.read(
      `SELECT rule_id, event_id, time, event, key, details FROM ${MATCHES_TABLE}
       WHERE time <= $until AND (time > $t OR (time = $t AND (rule_id > $r OR (rule_id = $r AND event_id > $e))))
       ORDER BY time, rule_id, event_id LIMIT $limit`,
      { until, t: from.time, r: from.ruleId, e: from.eventId, limit },
    );
    const out: StoredMatch[] = [];
    for (const [rule, id, time, event, key, details] of rows) {
      const last = out[out.length - 1];
      if (last && last.ruleId === String(rule) && last.eventId === String(id)) continue;
      const match: Match = { ruleId: String(rule), event: JSON.parse(String(event)) as EcsEvent };
      const k = JSON.parse(String(key)) as Record<string, string> | null;
      const d = JSON.parse(String(details)) as Record<string, unknown> | null;
      if (k) match.key = k;
      if (d) match.details = d;
      out.push({ ruleId: String(rule), eventId: String(id), time: Number(time), match });
    }
    return out;
  }

  /** The state of the last completed pass: the furthest position, the latest of equals. */
  async lastState(): Promise<SavedState | undefined> {
    const rows = await this.read(`SELECT position, seq, state FROM ${STATE_TABLE} ORDER BY position DESC, seq DESC LIMIT 1`);
    if (!rows.length) return undefined;
    const [position, seq, state] = rows[0]!;
    return { position: Number(position), seq: Number(seq), state: JSON.parse(String(state)) as unknown };
  }

  async saveState(s: SavedState): Promise<void> {
    await this.ensure();
    await this.store.query(`INSERT INTO ${STATE_TABLE} (${STATE_COLUMNS.join(', ')}) VALUES ($position, $seq, $written_at, $state)`, {
      position: s.position, seq: s.seq, written_at: new Date().toISOString(), state: JSON.stringify(s.state),
    });
  }
}
