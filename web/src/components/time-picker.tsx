import { useState } from 'preact/hooks';
import { useTimeZone } from '../hooks.ts';
import { zoneLabel } from '../format.ts';
import { boundText, pickRange, RANGE_PRESETS, typedBound, type PickedRange, type ResolvedRange } from '../time-range.ts';

/**
 * The shared time-range picker: a relative preset (counted back from the latest event) or an
 * absolute from–to typed in the zone the console shows (UTC or local). Below it, the absolute range
 * the choice resolved to, so "last 24 h" on last month's data says which 24 hours.
 */
export function TimePicker({ picked, resolved, ready }: { picked: PickedRange; resolved: ResolvedRange; ready: boolean }) {
  const zone = useTimeZone();
  const preset = !picked.latest && RANGE_PRESETS.some(([v]) => v === picked.earliest) ? picked.earliest : !picked.earliest && !picked.latest ? '' : 'custom';
  const [custom, setCustom] = useState(false);
  const [error, setError] = useState<string>();
  const showAbsolute = custom || preset === 'custom';
  const apply = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const from = typedBound(String(f.get('from') ?? ''), zone);
    const to = typedBound(String(f.get('to') ?? ''), zone);
    if (from === undefined || to === undefined) {
      setError(`not a time: write 2026-11-20 08:00:00 (${zoneLabel(zone)}), add Z or an offset, or use -24h`);
      return;
    }
    setError(undefined);
    pickRange(from, to);
  };
  // Typed bounds are shown as the analyst wrote them when relative, else in the zone shown.
  const shown = (text: string, ms: number | undefined) => (/^(now$|[+-]|@)/.test(text) ? text : boundText(ms, zone));
  return (
    <div class="time-picker" role="group" aria-label="time range" data-testid="time-picker">
      <label>
        time range
        <select
          name="range"
          data-testid="range-preset"
          value={showAbsolute ? 'custom' : preset}
          onChange={(e) => {
            const v = (e.currentTarget as HTMLSelectElement).value;
            if (v === 'custom') return setCustom(true);
            setCustom(false);
            pickRange(v, '');
          }}
        >
          {RANGE_PRESETS.map(([v, label]) => (
            <option value={v}>{label}</option>
          ))}
          <option value="">all time</option>
          <option value="custom">from – to…</option>
        </select>
      </label>
      {showAbsolute && (
        <form class="range-absolute" onSubmit={apply} key={`${picked.earliest}|${picked.latest}|${zone}`}>
          <label>
            from ({zoneLabel(zone)})
            <input name="from" data-testid="range-from" size={22} defaultValue={shown(picked.earliest, resolved.sinceMs)} placeholder="2026-11-20 08:00:00" />
          </label>
          <label>
            to
            <input name="to" data-testid="range-to" size={22} defaultValue={shown(picked.latest, resolved.untilMs)} placeholder="empty: up to the latest" />
          </label>
          <button type="submit">Apply range</button>
        </form>
      )}
      <span class="muted range-resolved" data-testid="range-resolved" aria-live="polite">
        {error ?? resolved.error ?? (!ready ? 'resolving…' : resolvedText(resolved, zone))}
      </span>
    </div>
  );
}

function resolvedText(r: ResolvedRange, zone: ReturnType<typeof useTimeZone>): string {
  if (r.sinceMs === undefined && r.untilMs === undefined) return 'all stored events';
  const text = `${r.sinceMs === undefined ? '…' : boundText(r.sinceMs, zone)} → ${r.untilMs === undefined ? '…' : boundText(r.untilMs, zone)}`;
  return r.anchorMs === undefined ? text : `${text} (counted back from the latest event)`;
}
