import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { ErrorBox } from '../components/bits.tsx';
import { formatCount, timeText } from '../format.ts';
import { href, setParams } from '../router.ts';

/**
 * Triage in the console: the status and assignee filters, the bulk action bar over a selection,
 * the grouped view, and the alert page's triage panel with its history. The statuses and limits
 * mirror src/detect/alerts/triage.ts (the server checks them again).
 */
export const STATUSES = ['new', 'acknowledged', 'true_positive', 'false_positive', 'benign'] as const;
const STATUS_LABELS: Record<string, string> = {
  new: 'new', acknowledged: 'acknowledged', true_positive: 'closed: true positive', false_positive: 'closed: false positive', benign: 'closed: benign',
};
export const statusLabel = (s: string) => STATUS_LABELS[s] ?? s;
const MAX_NOTE_CHARS = 4_000;

export interface TriageState {
  status: string;
  assignee: string;
  notes: number;
}

export interface AlertChange {
  seq: string;
  changed_at: string;
  actor: string;
  via: string;
  field: string;
  old_value: string | null;
  new_value: string;
}

export interface AlertGroup {
  rule_id: string;
  rule_title: string;
  level: string;
  key: string;
  count: number;
  untriaged: number;
  first_seen: string;
  last_seen: string;
  latest_id: string;
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`status status-${status}`} data-testid="status">{statusLabel(status)}</span>;
}

/** The triage filters of the alert list: status, assignee, and whether to group repeats. */
export function TriageFilters({ status, assignee, group }: { status: string; assignee: string; group: boolean }) {
  return (
    <>
      <label>
        status
        <select name="status" value={status} onChange={(e) => setParams({ status: (e.currentTarget as HTMLSelectElement).value, offset: undefined })}>
          <option value="">any</option>
          <option value="new,acknowledged">open (new or acknowledged)</option>
          {STATUSES.map((s) => (
            <option value={s}>{statusLabel(s)}</option>
          ))}
        </select>
      </label>
      <label>
        assignee
        <input name="assignee" placeholder="name, or nobody" defaultValue={assignee} key={assignee} size={12} />
      </label>
      <label class="inline">
        <input type="checkbox" name="group" checked={group} onChange={(e) => setParams({ group: (e.currentTarget as HTMLInputElement).checked ? 'true' : undefined, offset: undefined })} />
        group repeats
      </label>
    </>
  );
}

/** Sends one triage change; resolves with the error text, or undefined when it was saved. */
async function send(body: { ids: string[]; status?: string; assignee?: string; note?: string }): Promise<string | undefined> {
  try {
    await api('/api/alerts/triage', { method: 'POST', body });
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** What the form holds: the fields left empty are not changed. */
function fieldsOf(form: HTMLFormElement): { status?: string; assignee?: string; note?: string } {
  const f = new FormData(form);
  const value = (name: string) => String(f.get(name) ?? '').trim();
  return {
    ...(value('status') ? { status: value('status') } : {}),
    ...(value('assignee') ? { assignee: value('assignee') } : {}),
    ...(value('note') ? { note: String(f.get('note')) } : {}),
  };
}

/** Status, assignee and note fields, shared by the bulk bar and the alert page. */
function ChangeFields({ idPrefix }: { idPrefix: string }) {
  return (
    <>
      <label for={`${idPrefix}-status`}>status</label>
      <select id={`${idPrefix}-status`} name="status">
        <option value="">(unchanged)</option>
        {STATUSES.map((s) => (
          <option value={s}>{statusLabel(s)}</option>
        ))}
      </select>
      <label for={`${idPrefix}-assignee`}>assignee</label>
      <input id={`${idPrefix}-assignee`} name="assignee" placeholder="(unchanged) name, or nobody" size={16} />
      <label for={`${idPrefix}-note`}>note</label>
      <textarea id={`${idPrefix}-note`} name="note" rows={2} cols={40} maxLength={MAX_NOTE_CHARS} />
    </>
  );
}

/** The bulk action bar: the same change for every selected alert, in one request. */
export function BulkBar({ selected, onDone }: { selected: string[]; onDone: () => void }) {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  if (!selected.length) return null;
  return (
    <form class="bulk triage-form" aria-label="change the selected alerts" data-testid="bulk-bar" onSubmit={async (e) => {
      e.preventDefault();
      const form = e.currentTarget as HTMLFormElement;
      setBusy(true);
      const failed = await send({ ids: selected, ...fieldsOf(form) });
      setBusy(false);
      setError(failed);
      if (!failed) {
        form.reset();
        onDone();
      }
    }}>
      <strong>{formatCount(selected.length)} selected</strong>
      <ChangeFields idPrefix="bulk" />
      <button type="submit" class="primary" disabled={busy}>Apply to {selected.length}</button>
      <ErrorBox error={error} />
    </form>
  );
}

/** Repeats of one rule on one entity, the most recent first; each group's members one click away. */
export function AlertGroups({ groups, filter }: { groups: AlertGroup[]; filter: Record<string, string> }) {
  const entity = (key: string) => {
    try {
      return Object.entries(JSON.parse(key) as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`).join(' ') || '(no entity)';
    } catch {
      return key;
    }
  };
  return (
    <table class="list alert-groups" data-testid="alert-groups">
      <thead>
        <tr>
          <th>alerts</th>
          <th>new</th>
          <th>first seen</th>
          <th>last seen</th>
          <th>rule</th>
          <th>entity</th>
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => (
          <tr key={`${g.rule_id} ${g.key}`} data-nav-row tabIndex={-1}>
            <td>
              <a href={href('/alerts', { ...filter, group: undefined, offset: undefined, rule: g.rule_id, key: g.key })} data-testid="group-members" data-open>
                {formatCount(g.count)} alert{g.count === 1 ? '' : 's'}
              </a>
            </td>
            <td>{formatCount(g.untriaged)}</td>
            <td class="nowrap">{timeText(g.first_seen)}</td>
            <td class="nowrap">{timeText(g.last_seen)}</td>
            <td>
              <a href={`/alerts/${encodeURIComponent(g.latest_id)}`}>{g.rule_title}</a>
            </td>
            <td class="clip">{entity(g.key)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function changeText(c: AlertChange): string {
  if (c.field === 'note') return 'added a note';
  const show = (v: string | null) => (c.field === 'status' && v !== null ? statusLabel(v) : v ?? '');
  return `${c.field}: ${show(c.old_value)} → ${show(c.new_value)}`;
}

/** The alert page's triage: its state, a form to change it, and who changed what and when. */
export function TriagePanel({ id, state, history, onChanged }: { id: string; state: TriageState; history: AlertChange[]; onChanged: () => void }) {
  const [error, setError] = useState<string | undefined>();
  return (
    <section class="triage" aria-labelledby="triage-heading" data-testid="triage">
      <h2 id="triage-heading">Triage</h2>
      <p>
        <StatusBadge status={state.status} /> <span class="muted">assigned to</span> <span data-testid="assignee">{state.assignee}</span>
      </p>
      <form class="triage-form" aria-label="change this alert" onSubmit={async (e) => {
        e.preventDefault();
        const form = e.currentTarget as HTMLFormElement;
        const fields = fieldsOf(form);
        if (!Object.keys(fields).length) return setError('nothing to change: choose a status, an assignee or write a note');
        const failed = await send({ ids: [id], ...fields });
        setError(failed);
        if (!failed) {
          form.reset();
          onChanged();
        }
      }}>
        <ChangeFields idPrefix="triage" />
        <button type="submit" class="primary">Save</button>
      </form>
      <ErrorBox error={error} />
      <h3>History</h3>
      {history.length === 0 ? (
        <p class="muted">no changes yet</p>
      ) : (
        <ol class="triage-history" data-testid="history">
          {[...history].reverse().map((c) => (
            <li key={c.seq}>
              <span class="nowrap">{timeText(c.changed_at)}</span> · <strong>{c.actor}</strong> <span class="muted">({c.via})</span> · {changeText(c)}
              {c.field === 'note' && <blockquote class="note">{c.new_value}</blockquote>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
