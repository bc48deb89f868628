import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { ErrorBox, Loading } from '../components/bits.tsx';
import { FieldError, invalid, useFormErrors } from '../components/field-errors.tsx';
import { formatCount, timeText } from '../format.ts';
import { useApi } from '../hooks.ts';
import { href, setParams, type Location } from '../router.ts';
import { roleAtLeast, useRole } from '../session.ts';

/**
 * Saved searches scheduled as detections (src/searches/): each one's schedule, last and next run,
 * last error, missed windows and its runs; analysts schedule, edit, run now, unschedule and delete.
 * The server checks everything again (src/searches/types.ts checkSchedule): its refusals are shown
 * beside the field they name.
 */
interface Schedule {
  intervalSeconds: number;
  lookBackSeconds: number;
  condition: { kind: 'rows'; threshold: number } | { kind: 'per-row' };
  level: string;
  title: string;
}

interface Run {
  windowStart: string;
  windowEnd: string;
  ranAt: string;
  tookMs: number;
  rows: number;
  alerts: number;
  skipped: number;
  error: string;
  trigger: string;
}

interface SearchState {
  id: string;
  name: string;
  query: string;
  language: string;
  created: string;
  schedule?: Schedule;
  lastRun?: Run;
  nextRun?: string;
}

const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'];
const UNITS = [
  ['60', 'minutes'],
  ['3600', 'hours'],
  ['86400', 'days'],
] as const;
const FIELDS = ['intervalSeconds', 'lookBackSeconds', 'condition', 'level', 'title', 'query'] as const;
const FORM = 'schedule';
/** Runs listed per search (the API keeps up to 200). */
export const RUNS_SHOWN = 50;

/** Seconds as an amount of the largest unit that divides them (the editor's starting values). */
function amountOf(seconds: number): { amount: string; unit: string } {
  for (const [size] of [...UNITS].reverse()) if (seconds % Number(size) === 0) return { amount: String(seconds / Number(size)), unit: size };
  return { amount: String(seconds / 60), unit: '60' };
}

function durationText(seconds: number): string {
  const { amount, unit } = amountOf(seconds);
  const name = UNITS.find(([s]) => s === unit)![1];
  return `${amount} ${amount === '1' ? name.slice(0, -1) : name}`;
}

export const conditionText = (c: Schedule['condition']) => (c.kind === 'per-row' ? 'an alert per row' : `an alert when rows > ${c.threshold}`);

type Errors = ReturnType<typeof useFormErrors>['errors'];
/** The editor's fields as typed (text: the server says what is wrong with it). */
interface Draft {
  title: string;
  intervalSecondsAmount: string;
  intervalSecondsUnit: string;
  lookBackSecondsAmount: string;
  lookBackSecondsUnit: string;
  kind: 'rows' | 'per-row';
  threshold: string;
  level: string;
}

function draftOf(s: Schedule): Draft {
  const every = amountOf(s.intervalSeconds);
  const back = amountOf(s.lookBackSeconds);
  return {
    title: s.title, intervalSecondsAmount: every.amount, intervalSecondsUnit: every.unit, lookBackSecondsAmount: back.amount, lookBackSecondsUnit: back.unit,
    kind: s.condition.kind, threshold: String(s.condition.kind === 'rows' ? s.condition.threshold : 0), level: s.level,
  };
}

/** A number when the text is one (the server checks range and wholeness), else the text itself. */
const numberOr = (text: string, scale = 1): number | string => {
  const t = text.trim();
  const n = Number(t);
  return t !== '' && Number.isFinite(n) ? Math.round(n * scale * 1000) / 1000 : t;
};

function Duration({ name, label, draft, set, errors }: { name: 'intervalSeconds' | 'lookBackSeconds'; label: string; draft: Draft; set: (d: Partial<Draft>) => void; errors: Errors }) {
  return (
    <div class="form-row">
      <label for={`${FORM}-${name}`}>{label}</label>
      <input id={`${FORM}-${name}`} type="text" inputMode="numeric" size={6} value={draft[`${name}Amount`]} onInput={(e) => set({ [`${name}Amount`]: (e.currentTarget as HTMLInputElement).value })} {...invalid(FORM, name, errors)} />
      <select aria-label={`${label}: unit`} value={draft[`${name}Unit`]} onChange={(e) => set({ [`${name}Unit`]: (e.currentTarget as HTMLSelectElement).value })}>
        {UNITS.map(([size, text]) => (
          <option value={size}>{text}</option>
        ))}
      </select>
      <FieldError form={FORM} field={name} errors={errors} />
    </div>
  );
}

/** The schedule of one saved search: new, or the one it has. */
function ScheduleEditor({ search, onDone }: { search: SearchState; onDone: () => void }) {
  const { errors, run } = useFormErrors(FIELDS);
  const [draft, setDraft] = useState(() => draftOf(search.schedule ?? { intervalSeconds: 900, lookBackSeconds: 900, condition: { kind: 'rows', threshold: 0 }, level: 'medium', title: search.name }));
  const set = (d: Partial<Draft>) => setDraft((old) => ({ ...old, ...d }));
  const submit = async (e: Event) => {
    e.preventDefault();
    // What was typed goes to the server as typed (a number or not): it says what is wrong, by field.
    const body = {
      intervalSeconds: numberOr(draft.intervalSecondsAmount, Number(draft.intervalSecondsUnit)),
      lookBackSeconds: numberOr(draft.lookBackSecondsAmount, Number(draft.lookBackSecondsUnit)),
      condition: draft.kind === 'per-row' ? { kind: draft.kind } : { kind: draft.kind, threshold: numberOr(draft.threshold) },
      level: draft.level,
      title: draft.title,
    };
    if (await run(() => api(`/api/searches/${encodeURIComponent(search.id)}/schedule`, { method: 'POST', body }))) onDone();
  };
  return (
    <form class="schedule-editor panel" onSubmit={submit} noValidate aria-labelledby="schedule-editor-title" data-testid="schedule-editor">
      <h2 id="schedule-editor-title">
        {search.schedule ? 'Edit the schedule of' : 'Schedule'} “{search.name}”
      </h2>
      <p class="muted wrap">
        <code>{search.query}</code>
      </p>
      <FieldError form={FORM} field="query" errors={errors} />
      <div class="form-row">
        <label for={`${FORM}-title`}>alert title</label>
        <input id={`${FORM}-title`} size={40} value={draft.title} onInput={(e) => set({ title: (e.currentTarget as HTMLInputElement).value })} {...invalid(FORM, 'title', errors)} />
        <FieldError form={FORM} field="title" errors={errors} />
      </div>
      <Duration name="intervalSeconds" label="run every" draft={draft} set={set} errors={errors} />
      <Duration name="lookBackSeconds" label="looking back" draft={draft} set={set} errors={errors} />
      <div class="form-row">
        <label for={`${FORM}-condition`}>raise</label>
        <select id={`${FORM}-condition`} value={draft.kind} onChange={(e) => set({ kind: (e.currentTarget as HTMLSelectElement).value as Draft['kind'] })} {...invalid(FORM, 'condition', errors)}>
          <option value="rows">one alert when rows &gt; N</option>
          <option value="per-row">an alert per row</option>
        </select>
        {draft.kind === 'rows' && (
          <>
            <label class="inline" for={`${FORM}-threshold`}>N</label>
            <input id={`${FORM}-threshold`} type="text" inputMode="numeric" size={7} value={draft.threshold} onInput={(e) => set({ threshold: (e.currentTarget as HTMLInputElement).value })} {...invalid(FORM, 'condition', errors)} />
          </>
        )}
        <FieldError form={FORM} field="condition" errors={errors} />
      </div>
      <div class="form-row">
        <label for={`${FORM}-level`}>level</label>
        <select id={`${FORM}-level`} value={draft.level} onChange={(e) => set({ level: (e.currentTarget as HTMLSelectElement).value })} {...invalid(FORM, 'level', errors)}>
          {LEVELS.map((l) => (
            <option value={l}>{l}</option>
          ))}
        </select>
        <FieldError form={FORM} field="level" errors={errors} />
      </div>
      <ErrorBox error={errors.form} />
      <div class="form-row">
        <button type="submit" class="primary">
          {search.schedule ? 'Save schedule' : 'Schedule'}
        </button>
        <a href={href('/searches')}>cancel</a>
      </div>
    </form>
  );
}

function Runs({ id }: { id: string }) {
  const runs = useApi<Run[]>(`/api/searches/${encodeURIComponent(id)}/runs?limit=${RUNS_SHOWN}`);
  return (
    <section class="panel" aria-label="runs" data-testid="runs">
      <h2>Runs (newest first, the last {RUNS_SHOWN})</h2>
      <ErrorBox error={runs.error} />
      <Loading when={runs.loading} />
      {runs.data && !runs.data.length && <p class="muted">no runs yet</p>}
      {runs.data && runs.data.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">window</th>
              <th scope="col">ran at</th>
              <th scope="col">trigger</th>
              <th scope="col">rows</th>
              <th scope="col">alerts</th>
              <th scope="col">missed windows</th>
              <th scope="col">took</th>
              <th scope="col">error</th>
            </tr>
          </thead>
          <tbody>
            {runs.data.map((r) => (
              <tr>
                <td>
                  {timeText(r.windowStart)} – {timeText(r.windowEnd)}
                </td>
                <td>{timeText(r.ranAt)}</td>
                <td>{r.trigger}</td>
                <td>{formatCount(r.rows)}</td>
                <td>{formatCount(r.alerts)}</td>
                <td>{formatCount(r.skipped)}</td>
                <td>{r.tookMs} ms</td>
                <td class="wrap">{r.error}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function LastRun({ run }: { run?: Run | undefined }) {
  if (!run) return <span class="muted">never</span>;
  return (
    <span>
      {timeText(run.ranAt)} · {formatCount(run.rows)} rows · {formatCount(run.alerts)} alerts
    </span>
  );
}

export function SchedulesPage({ loc, readOnly }: { loc: Location; readOnly: boolean }) {
  const [reload, setReload] = useState(0);
  const searches = useApi<SearchState[]>('/api/searches', reload);
  const me = useRole();
  const canEdit = roleAtLeast(me.role, 'analyst') && !readOnly;
  const editing = loc.params.get('edit');
  const showRuns = loc.params.get('runs');
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();
  const [confirming, setConfirming] = useState<string>();
  const act = async (work: () => Promise<string>) => {
    setError(undefined);
    setMessage(undefined);
    try {
      setMessage(await work());
    } catch (e) {
      setError((e as Error).message);
    }
    setReload((n) => n + 1);
  };
  const path = (id: string, rest = '') => `/api/searches/${encodeURIComponent(id)}${rest}`;
  const edited = editing ? searches.data?.find((s) => s.id === editing) : undefined;
  return (
    <section>
      <h1>Scheduled searches</h1>
      <p class="muted">
        Saved searches (save one on the <a href="/search">Search</a> page) run on a schedule as detections: their alerts join the others.
        {!canEdit && !me.loading && (readOnly ? ' This server is read-only.' : ` You are ${me.role ?? 'not signed in'}: scheduling needs the analyst role.`)}
      </p>
      <ErrorBox error={searches.error ?? error} />
      {message && (
        <p class="notice" role="status" data-testid="schedule-message">
          {message}
        </p>
      )}
      <Loading when={searches.loading && !searches.data} />
      {canEdit && edited && <ScheduleEditor key={edited.id} search={edited} onDone={() => { setParams({ edit: undefined }); setMessage(`Scheduled “${edited.name}”.`); setReload((n) => n + 1); }} />}
      {canEdit && editing && searches.data && !edited && <ErrorBox error={`No saved search ${editing}.`} />}
      {searches.data && !searches.data.length && <p class="muted">No saved searches yet.</p>}
      {searches.data && searches.data.length > 0 && (
        <table class="list" data-testid="saved-searches">
          <thead>
            <tr>
              <th scope="col">search</th>
              <th scope="col">schedule</th>
              <th scope="col">last run</th>
              <th scope="col">next run</th>
              <th scope="col">last error</th>
              <th scope="col">missed windows</th>
              <th scope="col">
                <span class="sr-only">actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {searches.data.map((s) => (
              <tr data-testid="saved-search">
                <td class="wrap">
                  <a href={href('/search', { q: s.query, lang: s.language === 'auto' ? undefined : s.language })}>{s.name}</a>
                  <br />
                  <code class="muted">{s.query.length > 200 ? `${s.query.slice(0, 200)}…` : s.query}</code>
                </td>
                <td data-testid="schedule">
                  {s.schedule ? (
                    <>
                      every {durationText(s.schedule.intervalSeconds)}, looking back {durationText(s.schedule.lookBackSeconds)}; {conditionText(s.schedule.condition)} “{s.schedule.title}” ({s.schedule.level})
                    </>
                  ) : (
                    <span class="muted">not scheduled</span>
                  )}
                </td>
                <td>
                  <LastRun run={s.lastRun} />
                </td>
                <td>{s.nextRun ? timeText(s.nextRun) : <span class="muted">—</span>}</td>
                <td class="wrap" data-testid="last-error">{s.lastRun?.error ?? ''}</td>
                <td>{s.lastRun ? formatCount(s.lastRun.skipped) : ''}</td>
                <td class="row-actions">
                  <a href={href('/searches', { runs: s.id })} aria-label={`runs of ${s.name}`}>
                    runs
                  </a>
                  {canEdit && (
                    <>
                      {' '}
                      <a href={href('/searches', { edit: s.id })} aria-label={`${s.schedule ? 'edit the schedule of' : 'schedule'} ${s.name}`}>
                        {s.schedule ? 'edit' : 'schedule'}
                      </a>
                      {s.schedule && (
                        <>
                          {' '}
                          <button type="button" class="link" aria-label={`run now: ${s.name}`} onClick={() => act(async () => {
                            const r = await api<Run>(path(s.id, '/run'), { method: 'POST' });
                            return r.error ? `Ran “${s.name}”: failed: ${r.error}` : `Ran “${s.name}”: ${formatCount(r.rows)} rows, ${formatCount(r.alerts)} alerts.`;
                          })}>
                            run now
                          </button>{' '}
                          <button type="button" class="link" aria-label={`unschedule ${s.name}`} onClick={() => act(async () => {
                            await api(path(s.id, '/schedule'), { method: 'DELETE' });
                            return `“${s.name}” is no longer scheduled.`;
                          })}>
                            unschedule
                          </button>
                        </>
                      )}{' '}
                      {confirming === s.id ? (
                        <button type="button" class="link danger" aria-label={`confirm delete: ${s.name}`} onClick={() => act(async () => {
                          setConfirming(undefined);
                          await api(path(s.id), { method: 'DELETE' });
                          return `Deleted “${s.name}”.`;
                        })}>
                          confirm delete
                        </button>
                      ) : (
                        <button type="button" class="link" aria-label={`delete ${s.name}`} onClick={() => setConfirming(s.id)}>
                          delete
                        </button>
                      )}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {showRuns && <Runs key={`${showRuns}:${reload}`} id={showRuns} />}
    </section>
  );
}
