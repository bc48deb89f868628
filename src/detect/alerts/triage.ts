/**
 * Alert triage as data: what an analyst may set on an alert (a status, an assignee, notes), checked
 * the same way by the API, the CLI and the process that holds the database. Every change is one
 * row of the append-only `alert_changes` table (src/store/alert-changes.ts); an alert's state is its
 * latest row per field, and the rows are its history.
 */

/** The statuses, in the order the console offers them. `new` is the state of an alert nobody touched. */
export const ALERT_STATUSES = ['new', 'acknowledged', 'true_positive', 'false_positive', 'benign'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
/** The statuses that close an alert. */
export const CLOSED_STATUSES: readonly AlertStatus[] = ['true_positive', 'false_positive', 'benign'];

/** The fields a change sets. A note is added, never replaced: each note is a row of its own. */
export const TRIAGE_FIELDS = ['status', 'assignee', 'note'] as const;
export type TriageField = (typeof TRIAGE_FIELDS)[number];

/** The assignee of an alert nobody is assigned to (also how one unassigns). */
export const NOBODY = 'nobody';
/** Longest note, in characters: a note explains a decision, evidence belongs in the events. */
export const MAX_NOTE_CHARS = 4_000;
/** Alerts one change request may name (a bulk action on a selection). */
export const MAX_BULK_ALERTS = 1_000;
/** Longest actor or assignee name (account names are shorter; OIDC names are clipped to this). */
export const MAX_NAME_CHARS = 200;
/** Longest alert id accepted (ids are 22 characters; the bound keeps hostile input out of SQL lists). */
export const MAX_ALERT_ID_CHARS = 200;

/** How the actor of a change was authenticated (as the audit log says it), or `cli` for the command line. */
export const TRIAGE_VIA = ['password', 'oidc', 'token', 'loopback', 'cli'] as const;
export type TriageVia = (typeof TRIAGE_VIA)[number];

/** One row of `alert_changes`. */
export interface AlertChange {
  /** Orders the changes of an alert: later changes sort after earlier ones (see changeSeq). */
  seq: string;
  alert_id: string;
  /** RFC 3339 UTC with milliseconds. */
  changed_at: string;
  actor: string;
  via: TriageVia;
  field: TriageField;
  /** The value before (null for notes and for an alert's first change of that field: new / nobody). */
  old_value: string | null;
  new_value: string;
}

/** What one request asks to change on each alert it names. */
export interface TriageRequest {
  ids: string[];
  status?: string | undefined;
  assignee?: string | undefined;
  note?: string | undefined;
}

/** An alert's current triage state. */
export interface TriageState {
  status: AlertStatus;
  assignee: string;
  notes: number;
  /** When it last changed (RFC 3339), undefined when never. */
  updated?: string;
}

export const UNTOUCHED: TriageState = { status: 'new', assignee: NOBODY, notes: 0 };

/** A request that cannot be carried out as given: the API answers 400, the CLI exits 2. */
export class TriageInputError extends Error {}

export function isStatus(s: string): s is AlertStatus {
  return (ALERT_STATUSES as readonly string[]).includes(s);
}

/** Checks a request, naming what is wrong and what is allowed. `knownUser` says whether a name may be assigned. */
export function checkTriageRequest(r: TriageRequest, knownUser: (name: string) => boolean): TriageRequest {
  const ids = [...new Set(r.ids)];
  if (!ids.length) throw new TriageInputError('name at least one alert');
  if (ids.length > MAX_BULK_ALERTS) throw new TriageInputError(`at most ${MAX_BULK_ALERTS} alerts per change, got ${ids.length}`);
  const badId = ids.find((id) => typeof id !== 'string' || id === '' || id.length > MAX_ALERT_ID_CHARS);
  if (badId !== undefined) throw new TriageInputError(`an alert id is 1 to ${MAX_ALERT_ID_CHARS} characters`);
  if (r.status === undefined && r.assignee === undefined && r.note === undefined) throw new TriageInputError('nothing to change: give a status, an assignee or a note');
  if (r.status !== undefined && !isStatus(r.status)) throw new TriageInputError(`unknown status '${clipped(r.status)}': expected one of ${ALERT_STATUSES.join(', ')}`);
  if (r.assignee !== undefined && r.assignee !== NOBODY && !knownUser(r.assignee)) {
    throw new TriageInputError(`unknown assignee '${clipped(r.assignee)}': expected an account name or ${NOBODY}`);
  }
  if (r.note !== undefined) {
    if (r.note.trim() === '') throw new TriageInputError('a note must not be empty');
    if ([...r.note].length > MAX_NOTE_CHARS) throw new TriageInputError(`a note is at most ${MAX_NOTE_CHARS} characters, got ${[...r.note].length}`);
  }
  return { ids, ...(r.status !== undefined ? { status: r.status } : {}), ...(r.assignee !== undefined ? { assignee: r.assignee } : {}), ...(r.note !== undefined ? { note: r.note } : {}) };
}

const clipped = (s: string) => (s.length > 60 ? `${s.slice(0, 60)}…` : s);

let lastMs = 0;
let counter = 0;

/**
 * Sequence keys for the changes written at `ms`: zero-padded time then a counter, so they sort as
 * they were made within this process even when the clock steps back. Two processes writing the
 * same alert's same field in the same millisecond (two ClickHouse writers) are ordered arbitrarily.
 */
export function changeSeq(ms: number): { seq: () => string; at: string } {
  const t = Math.max(Math.trunc(ms), lastMs);
  if (t !== lastMs) counter = 0;
  lastMs = t;
  const at = new Date(t).toISOString();
  return { at, seq: () => `${String(t).padStart(15, '0')}.${String(counter++).padStart(9, '0')}` };
}

/**
 * The rows a checked request writes: one per field whose value differs from the alert's current
 * one (setting what is already set writes nothing), and one per note.
 */
export function planChanges(r: TriageRequest, current: ReadonlyMap<string, TriageState>, who: { actor: string; via: TriageVia }, now = Date.now()): AlertChange[] {
  const { at, seq } = changeSeq(now);
  const rows: AlertChange[] = [];
  const actor = who.actor.slice(0, MAX_NAME_CHARS);
  for (const id of r.ids) {
    const state = current.get(id) ?? UNTOUCHED;
    const add = (field: TriageField, old_value: string | null, new_value: string) => rows.push({ seq: seq(), alert_id: id, changed_at: at, actor, via: who.via, field, old_value, new_value });
    if (r.status !== undefined && r.status !== state.status) add('status', state.status, r.status);
    if (r.assignee !== undefined && r.assignee !== state.assignee) add('assignee', state.assignee, r.assignee);
    if (r.note !== undefined) add('note', null, r.note);
  }
  return rows;
}

/** Checks rows that arrive from elsewhere (a command, through the owner's socket) before they are stored. */
export function checkChangeRows(rows: unknown): AlertChange[] {
  if (!Array.isArray(rows) || rows.length > MAX_BULK_ALERTS * TRIAGE_FIELDS.length) throw new TriageInputError(`changes must be a list of at most ${MAX_BULK_ALERTS * TRIAGE_FIELDS.length} rows`);
  const text = (v: unknown, max: number) => typeof v === 'string' && v.length <= max;
  for (const r of rows as Record<string, unknown>[]) {
    const ok = r !== null && typeof r === 'object'
      && text(r.seq, 40) && text(r.alert_id, MAX_ALERT_ID_CHARS) && text(r.changed_at, 40) && text(r.actor, MAX_NAME_CHARS)
      && (TRIAGE_VIA as readonly unknown[]).includes(r.via) && (TRIAGE_FIELDS as readonly unknown[]).includes(r.field)
      && (r.old_value === null || text(r.old_value, MAX_NAME_CHARS)) && text(r.new_value, MAX_NOTE_CHARS * 2)
      && (r.field !== 'status' || isStatus(r.new_value as string));
    if (!ok) throw new TriageInputError('a change row is not one packettrail writes');
  }
  return rows as AlertChange[];
}
