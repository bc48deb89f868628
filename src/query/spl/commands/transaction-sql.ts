import type { ColInfo, Ctx, Ref, Scope } from '../context.js';
import type { Token } from '../lexer.js';
import { fieldsNamedLater } from './later-fields.js';
import { q, type Stage } from './stage.js';

/** What `transaction` was asked (transaction.ts reads and checks it). */
export interface TransactionPlan {
  keys: { tok: Token; ref: Ref }[];
  tok: Token;
  /** Seconds, or null for no limit. */
  maxspan: number | null;
  maxpause: number | null;
  maxevents: number | null;
  /** maxevents= was given (Splunk counts it as a closing condition only then). */
  explicitMaxevents: boolean;
  /** SQL conditions on an event, or null. */
  startswith: string | null;
  endswith: string | null;
  keepevicted: boolean;
  /** The query text after the command: the fields later commands may read are taken from it. */
  after: string;
}

/**
 * Splunk's [transactions] maxopentxn and maxopenevents: past them Splunk evicts open transactions
 * (least recently used first), which splits and drops them in ways not reproduced here, so a
 * transaction command that would hold more transactions, or more events in them, open at once
 * while reading is refused (see openCounts).
 */
export const TRANSACTION_MAX_OPEN_TXN = 5000;
export const TRANSACTION_MAX_OPEN_EVENTS = 100_000;

/** Names a transaction makes itself. */
const OWN = new Set(['_time', 'duration', 'eventcount', 'closed_txn']);

/**
 * Splunk reads the events newest first and keeps one open transaction per value combination of the
 * fields. An event joins the open transaction of its values unless: that transaction already holds
 * maxevents events, spans more than maxspan with it (latest − its time), or is more than maxpause
 * older than the transaction's earliest event; the previous (newer) event matched startswith
 * (which closes the transaction); or the event matches endswith (an end begins a transaction when
 * reading backwards). Then it begins a new transaction.
 *
 * Here: window functions mark where a transaction begins for startswith/endswith/maxpause (they
 * depend on the neighbouring event only); maxspan and maxevents are greedy from the newest event,
 * so within those segments a recursive query finds each next beginning (without maxspan, maxevents
 * cuts every N events).
 *
 * closed_txn is 1 when a condition among maxevents (given explicitly), maxpause, maxspan and
 * startswith closed the transaction: its oldest event matched startswith, it holds maxevents events,
 * or some later-read event of the input is older than its earliest event − maxpause (latest −
 * maxspan), as Splunk closes transactions while reading. The others are evicted (0) and left out
 * unless keepevicted=true, or when none of those conditions is given (then every transaction is
 * output with closed_txn 0, as Splunk's documentation says).
 *
 * Events missing the fields are in no transaction (Splunk's orphans; keeporphans=false). With
 * several fields, an event having some but not all of them may join transitively in Splunk: such
 * events make the query fail, naming the construct, rather than answer differently.
 *
 * Every field of the transaction is multivalue: the distinct values of its events, sorted (mvlist=false);
 * fields are those later commands name, the default fields and the fields the pipeline added.
 */
export function transactionSql(ctx: Ctx, scope: Scope, p: TransactionPlan, from: string): Stage {
  const time = ctx.time(scope, p.tok);
  const id = scope.cols.has('event_id') ? ', "event_id"' : '';
  const keyNames = p.keys.map((k) => ctx.outName(k.tok));
  const extras = laterFields(ctx, scope, p, keyNames);
  const K = (i: number) => `"__pt_k${i}"`;
  const F = (i: number) => `"__pt_f${i}"`;
  const keys = p.keys.map((_, i) => K(i));
  const secondsBetween = (a: string, b: string) => `((epoch_us(${a}) - epoch_us(${b})) / 1000000.0)`;

  const src = [
    `${time} AS "__pt_t"`,
    ...p.keys.map((k, i) => `${k.ref.sql} AS ${K(i)}`),
    ...extras.map((f, i) => `${f.ref.sql} AS ${F(i)}`),
    `${p.startswith ?? 'FALSE'} AS "__pt_sw"`,
    `${p.endswith ?? 'FALSE'} AS "__pt_ew"`,
    `row_number() OVER (ORDER BY ${time} DESC${id}) AS "__pt_row"`,
  ];
  const present = keys.length ? keys.map((k) => `${k} IS NOT NULL`).join(' AND ') : 'TRUE';
  const partial = keys.length > 1 ? `(${keys.map((k) => `${k} IS NOT NULL`).join(' OR ')}) AND NOT (${present})` : 'FALSE';
  const byKey = keys.length ? `PARTITION BY ${keys.join(', ')} ` : '';
  const w = `(${byKey}ORDER BY "__pt_row")`;
  const begins = [`lag("__pt_row") OVER ${w} IS NULL`, `coalesce(lag("__pt_sw") OVER ${w}, FALSE)`, `"__pt_ew"`];
  if (p.maxpause !== null) begins.push(`${secondsBetween(`lag("__pt_t") OVER ${w}`, '"__pt_t"')} > ${ctx.double(p.maxpause)}`);
  const bySegment = `PARTITION BY ${[...keys, '"__pt_seg"'].join(', ')}`;
  const maxevents = p.maxevents === null ? null : ctx.number(String(p.maxevents), p.tok);

  const ctes = [
    `"__pt_src" AS (SELECT ${src.join(', ')} FROM ${from})`,
    `"__pt_keyed" AS (SELECT *, CASE WHEN ${begins.join(' OR ')} THEN 1 ELSE 0 END AS "__pt_b" FROM "__pt_src" WHERE ${present})`,
    `"__pt_segs" AS (SELECT *, sum("__pt_b") OVER (${byKey}ORDER BY "__pt_row" ROWS UNBOUNDED PRECEDING) AS "__pt_seg" FROM "__pt_keyed")`,
    `"__pt_ranked" AS (SELECT *, min("__pt_row") OVER (${bySegment}) AS "__pt_sid", row_number() OVER (${bySegment} ORDER BY "__pt_row") AS "__pt_sr" FROM "__pt_segs")`,
  ];
  if (p.maxspan === null) {
    ctes.push(`"__pt_pieces" AS (SELECT *, ${maxevents ? `("__pt_sr" - 1) // ${maxevents}` : '0'} AS "__pt_piece" FROM "__pt_ranked")`);
  } else {
    // Each next beginning: the first later event more than maxspan older than the beginning's (or maxevents on).
    const cut = [`${secondsBetween('r.st', 'e."__pt_t"')} > ${ctx.double(p.maxspan)}`, ...(maxevents ? [`e."__pt_sr" - r.s >= ${maxevents}`] : [])].join(' OR ');
    const starts =
      `SELECT sid, s FROM (WITH RECURSIVE r(sid, s, st) AS (SELECT "__pt_sid", "__pt_sr", "__pt_t" FROM "__pt_ranked" WHERE "__pt_sr" = 1 ` +
      `UNION ALL SELECT r.sid, min(e."__pt_sr"), arg_min(e."__pt_t", e."__pt_sr") FROM r JOIN "__pt_ranked" e ON e."__pt_sid" = r.sid AND e."__pt_sr" > r.s AND (${cut}) GROUP BY r.sid) SELECT * FROM r)`;
    ctes.push(`"__pt_starts" AS (${starts})`);
    ctes.push(
      `"__pt_pieces" AS (SELECT e.*, sum(CASE WHEN st.s IS NULL THEN 0 ELSE 1 END) OVER (PARTITION BY e."__pt_sid" ORDER BY e."__pt_sr" ROWS UNBOUNDED PRECEDING) AS "__pt_piece" ` +
        `FROM "__pt_ranked" e LEFT JOIN "__pt_starts" st ON st.sid = e."__pt_sid" AND st.s = e."__pt_sr")`,
    );
  }
  const earliestInput = `(SELECT min("__pt_t") FROM "__pt_src")`;
  const closing: string[] = [];
  if (p.startswith) closing.push(`arg_max("__pt_sw", "__pt_row")`);
  if (p.explicitMaxevents && maxevents) closing.push(`count(*) >= ${maxevents}`);
  if (p.maxpause !== null) closing.push(`${secondsBetween('min("__pt_t")', earliestInput)} > ${ctx.double(p.maxpause)}`);
  if (p.maxspan !== null) closing.push(`${secondsBetween('max("__pt_t")', earliestInput)} > ${ctx.double(p.maxspan)}`);
  const select = [
    ...keyNames.map((n, i) => `any_value(${K(i)}) AS ${q(n)}`),
    `min("__pt_t") AS "_time"`,
    `${secondsBetween('max("__pt_t")', 'min("__pt_t")')} AS "duration"`,
    `count(*) AS "eventcount"`,
    `${closing.length ? `CASE WHEN ${closing.join(' OR ')} THEN 1 ELSE 0 END` : '0'} AS "closed_txn"`,
    ...extras.map((f, i) => `nullif(list_sort(list_distinct(${f.ref.list ? `flatten(list(CAST(${F(i)} AS VARCHAR[])))` : `list(CAST(${F(i)} AS VARCHAR))`})), []) AS ${q(f.name)}`),
  ];
  ctes.push(`"__pt_txn" AS (SELECT ${select.join(', ')} FROM "__pt_pieces" GROUP BY "__pt_sid", "__pt_piece")`);
  const kept = p.keepevicted || !closing.length ? '' : ' WHERE "closed_txn" = 1';

  ctes.push(...openCounts(ctx, p, byKey, keys, maxevents));
  // Fails the query, naming the construct, where Splunk's answer would differ (see above); one row, always evaluated.
  const fail = (why: string) => `error(${ctx.param(`transaction: ${why}`)})`;
  const guard =
    `SELECT NULL AS "eventcount" FROM (SELECT (SELECT count(*) FROM "__pt_src" WHERE ${partial}) AS partial, (SELECT max("__pt_n") FROM "__pt_open_txn") AS txns, (SELECT max("__pt_n") FROM "__pt_open_events") AS events) ` +
    `WHERE CASE WHEN partial > 0 THEN ${fail(`events having some but not all of the fields ${keyNames.join(', ')} join transactions transitively in Splunk, which is not supported: give one field, or filter the events to those having all of them`)} ` +
    `WHEN txns > ${TRANSACTION_MAX_OPEN_TXN} THEN ${fail(`more than ${TRANSACTION_MAX_OPEN_TXN} transactions open at once: past Splunk's maxopentxn it evicts open transactions, which is not reproduced; narrow the search`)} ` +
    `WHEN events > ${TRANSACTION_MAX_OPEN_EVENTS} THEN ${fail(`more than ${TRANSACTION_MAX_OPEN_EVENTS} events in transactions open at once: past Splunk's maxopenevents it evicts open transactions, which is not reproduced; narrow the search`)} ELSE FALSE END`;
  const order = ['"_time" DESC', ...keyNames.map(q)].join(', ');
  const sql = `WITH ${ctes.join(',\n')}\nSELECT * FROM (SELECT * FROM "__pt_txn"${kept} UNION ALL BY NAME ${guard}) ORDER BY ${order}`;

  const cols = new Map<string, ColInfo>();
  p.keys.forEach((k, i) => cols.set(keyNames[i]!, k.ref.type ? { list: false, type: k.ref.type } : { list: false }));
  cols.set('_time', { list: false, type: 'date' });
  cols.set('duration', { list: false, type: 'double' });
  cols.set('eventcount', { list: false, type: 'long' });
  cols.set('closed_txn', { list: false, type: 'long' });
  for (const f of extras) cols.set(f.name, { list: true });
  return { sql, scope: { cols, base: false, sorted: true } };
}

/**
 * How many transactions, and events in them, are open at once while Splunk reads the events
 * (newest first; `__pt_row` is the reading position). A transaction opens at its newest event and
 * is open until the first of: the next transaction of its values begins (one is open per value
 * combination), its oldest event is read when startswith or maxevents closes it, or an event (of
 * any values) older than its earliest event − maxpause, or its latest − maxspan, is read; else to
 * the end of the input. Running sums over those openings and closings give the largest counts
 * (`__pt_open_txn`, `__pt_open_events`: column `__pt_n`).
 */
function openCounts(ctx: Ctx, p: TransactionPlan, byKey: string, keys: string[], maxevents: string | null): string[] {
  const closedAtLast = [...(p.startswith ? ['arg_max("__pt_sw", "__pt_row")'] : []), ...(maxevents ? [`count(*) >= ${maxevents}`] : [])];
  const life =
    `SELECT ${keys.map((k) => `any_value(${k}) AS ${k}, `).join('')}min("__pt_row") AS "o", count(*) AS "n", ` +
    `${closedAtLast.length ? `CASE WHEN ${closedAtLast.join(' OR ')} THEN max("__pt_row") + 1 END` : 'CAST(NULL AS BIGINT)'} AS "c_last", ` +
    `epoch_us(min("__pt_t")) AS "mn", epoch_us(max("__pt_t")) AS "mx" FROM "__pt_pieces" GROUP BY "__pt_sid", "__pt_piece"`;
  const us = (seconds: number) => `CAST(${ctx.double(seconds * 1e6)} AS BIGINT)`;
  const thresholds = [...(p.maxpause !== null ? [`SELECT "o", "mn" - ${us(p.maxpause)} AS "at" FROM "__pt_life"`] : []), ...(p.maxspan !== null ? [`SELECT "o", "mx" - ${us(p.maxspan)} AS "at" FROM "__pt_life"`] : [])];
  const ctes = [`"__pt_life" AS (${life})`];
  let reached = 'CAST(NULL AS BIGINT)';
  let join = '';
  if (thresholds.length) {
    // The reading position of the first event older than a threshold: the events at or after it, plus one.
    const marks = `SELECT epoch_us("__pt_t") AS "at", 0 AS "kind", CAST(NULL AS BIGINT) AS "o" FROM "__pt_src" UNION ALL SELECT "at", 1, "o" FROM (${thresholds.join(' UNION ALL ')})`;
    ctes.push(
      `"__pt_reach" AS (SELECT "o", min("before") + 1 AS "c" FROM (SELECT "kind", "o", sum(1 - "kind") OVER (ORDER BY "at" DESC, "kind" ROWS UNBOUNDED PRECEDING) AS "before" FROM (${marks})) WHERE "kind" = 1 GROUP BY "o")`,
    );
    reached = 'r."c"';
    join = ' LEFT JOIN "__pt_reach" r ON r."o" = l."o"';
  }
  const end = '(SELECT count(*) + 1 FROM "__pt_src")';
  const big = '9223372036854775807';
  ctes.push(
    `"__pt_closes" AS (SELECT l."o", l."n", least(coalesce(lead(l."o") OVER (${byKey.replace(/"__pt_k/g, 'l."__pt_k')}ORDER BY l."o"), ${big}), coalesce(l."c_last", ${big}), coalesce(${reached}, ${big}), ${end}) AS "c" FROM "__pt_life" l${join})`,
    // At one position, closings count before openings.
    `"__pt_open_txn" AS (SELECT sum("d") OVER (ORDER BY "at", "d" ROWS UNBOUNDED PRECEDING) AS "__pt_n" FROM (SELECT "o" AS "at", 1 AS "d" FROM "__pt_closes" UNION ALL SELECT "c", -1 FROM "__pt_closes"))`,
    `"__pt_open_events" AS (SELECT sum("d") OVER (ORDER BY "at", "d" ROWS UNBOUNDED PRECEDING) AS "__pt_n" FROM (SELECT "__pt_row" AS "at", 1 AS "d" FROM "__pt_pieces" UNION ALL SELECT "c", - "n" FROM "__pt_closes"))`,
  );
  return ctes;
}

/** The fields a transaction carries, each as the distinct values of its events (see fieldsNamedLater). */
function laterFields(ctx: Ctx, scope: Scope, p: TransactionPlan, keyNames: string[]): { name: string; ref: Ref }[] {
  // rex without field= and `regex "…"` read _raw too.
  if (/(^|[^\w.{}@])_raw\b/.test(p.after) || /\|\s*rex\b(?![^|]*\bfield\s*=)/i.test(p.after) || /\|\s*regex\s+"/i.test(p.after)) throw ctx.error("_raw after transaction is not supported: Splunk's is the text of the transaction's events joined, which is not made", p.tok);
  const skip = new Set([...keyNames, ...OWN]);
  return fieldsNamedLater(ctx, scope, p.after, 'transaction', p.tok).filter((f) => !skip.has(f.name));
}
