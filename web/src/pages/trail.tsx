import { useEffect, useState } from 'preact/hooks';
import type { Trail, TrailHop, TrailJoin } from '../../../src/trail/types.ts';
import { qs } from '../api.ts';
import { Badge, ErrorBox, Facts, Loading } from '../components/bits.tsx';
import { PivotFacts, PivotFields } from '../components/pivot.tsx';
import { clockText, parseTime, timeText, zoneLabel } from '../format.ts';
import { useApi } from '../hooks.ts';
import { navigate, setParams, href, type Location } from '../router.ts';

const SELECTORS = ['requestId', 'alertId', 'url', 'user', 'at', 'window'] as const;
const BOX_W = 150;
const BOX_H = 110;
const GAP = 44;
/** Room under the boxes for the join labels (method, then confidence) (px). */
const LABEL_H = 44;

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function Hop({ hop, x, selected }: { hop: TrailHop; x: number; selected: boolean }) {
  const open = () => setParams({ hop: selected ? undefined : hop.kind });
  // The hop's time: its first event's (a trail spans seconds to minutes, so the time of day says it).
  const first = parseTime(hop.events[0]?.['@timestamp']);
  const sources = clip(hop.sources.join(', ') || 'no source', 22);
  const events = `${hop.events.length} event${hop.events.length === 1 ? '' : 's'}`;
  return (
    <g
      class={`hop hop-${hop.verdict}${selected ? ' selected' : ''}`}
      transform={`translate(${x}, 10)`}
      role="button"
      // SVG attributes are case-sensitive: `tabIndex` would not make the hop focusable.
      tabindex={0}
      aria-pressed={selected}
      // Named by its visible text (kind, verdict, sources, events, time); the summary describes it.
      aria-describedby={`hop-summary-${hop.kind}`}
      data-hop={hop.kind}
      onClick={open}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          open();
        }
      }}
    >
      <desc id={`hop-summary-${hop.kind}`}>{hop.summary}</desc>
      <rect width={BOX_W} height={BOX_H} rx={8} />
      <text x={BOX_W / 2} y={22} class="hop-kind">
        {hop.kind}
      </text>
      <text x={BOX_W / 2} y={42} class="hop-verdict">
        {hop.verdict}
      </text>
      <text x={BOX_W / 2} y={60} class="hop-source">
        {sources}
      </text>
      <text x={BOX_W / 2} y={78} class="hop-source">
        {events}
      </text>
      {first !== undefined && (
        <text x={BOX_W / 2} y={98} class="hop-time">
          {clockText(first)}
        </text>
      )}
    </g>
  );
}

function Link({ x, join }: { x: number; join?: TrailJoin | undefined }) {
  const y = 10 + BOX_H / 2;
  return (
    <g class="hop-link">
      <line x1={x} y1={y} x2={x + GAP - 6} y2={y} marker-end="url(#arrow)" />
      {join && (
        <text x={x + GAP / 2} y={10 + BOX_H + 18} class="join-label">
          <tspan x={x + GAP / 2}>{join.method}</tspan>
          <tspan x={x + GAP / 2} dy={14}>
            {Math.round(join.confidence * 100)}%
          </tspan>
        </text>
      )}
    </g>
  );
}

export function TrailDiagram({ trail, selected }: { trail: Trail; selected: string | null }) {
  const width = trail.hops.length * BOX_W + (trail.hops.length - 1) * GAP + 20;
  return (
    <svg class="trail" viewBox={`0 0 ${width} ${BOX_H + 10 + LABEL_H}`} role="group" aria-label="the request's path, hop by hop" data-testid="trail-diagram">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" />
        </marker>
      </defs>
      {trail.hops.map((h, i) => {
        const x = 10 + i * (BOX_W + GAP);
        return (
          <>
            {i > 0 && <Link x={x - GAP} join={h.join} />}
            <Hop hop={h} x={x} selected={selected === h.kind} />
          </>
        );
      })}
    </svg>
  );
}

function JoinEvidence({ join }: { join: TrailJoin }) {
  return (
    <div class="join">
      <p>
        <strong>{join.method}</strong> · confidence {Math.round(join.confidence * 100)}%{join.from && ` · from ${join.from}`}
        {join.dataset && ` → ${join.dataset}`}
      </p>
      <Facts facts={join.keys} />
      <p class="evidence">{join.evidence}</p>
    </div>
  );
}

function HopPanel({ hop }: { hop: TrailHop }) {
  const joins = hop.joins ?? (hop.join ? [hop.join] : []);
  return (
    <section class="panel" data-testid="hop-panel" aria-live="polite">
      <h2>
        {hop.kind} <Badge kind={hop.verdict}>{hop.verdict}</Badge>
      </h2>
      <p>{hop.summary}</p>
      {hop.gap && <p class="gap">{hop.gap}</p>}
      <PivotFacts facts={hop.facts} fields={false} />
      <h3>How it was joined</h3>
      {joins.length ? joins.map((j) => <JoinEvidence join={j} />) : <p class="muted">the anchor hop: the trail was built around it</p>}
      <h3>Events ({hop.events.length})</h3>
      {hop.events.map((e, i) => (
        <details open={i === 0} class="event">
          <summary>
            {String((e as { event?: { dataset?: string } }).event?.dataset ?? 'event')} · {timeText(e['@timestamp'])}
          </summary>
          <PivotFields doc={e} />
        </details>
      ))}
    </section>
  );
}

export function TrailPage({ loc }: { loc: Location }) {
  const p = loc.params;
  const selector = Object.fromEntries(SELECTORS.map((s) => [s, p.get(s) ?? '']));
  const wanted = selector.requestId || selector.alertId || selector.url;
  const trail = useApi<Trail>(wanted ? `/api/trail${qs(selector)}` : null);
  const hopKind = p.get('hop');
  // The selector follows the URL (a controlled select: defaultValue does not select an option).
  const followed = selector.alertId ? 'alertId' : selector.url ? 'url' : 'requestId';
  const [by, setBy] = useState(followed);
  useEffect(() => setBy(followed), [followed]);
  const hop = trail.data?.hops.find((h) => h.kind === hopKind);
  return (
    <section>
      <h1>Trail</h1>
      <form class="filters" onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget as HTMLFormElement);
        const by = String(f.get('by'));
        const value = String(f.get('value') ?? '').trim();
        navigate(href('/trail', { [by]: value, user: by === 'url' ? String(f.get('user') ?? '') : undefined, at: by === 'url' ? String(f.get('at') ?? '') : undefined }));
      }}>
        <label>
          follow
          <select name="by" value={by} onChange={(e) => setBy((e.currentTarget as HTMLSelectElement).value as typeof followed)}>
            <option value="requestId">request id</option>
            <option value="alertId">alert id</option>
            <option value="url">url</option>
          </select>
        </label>
        <input name="value" aria-label="request id, alert id or url" size={48} title={wanted.length > 48 ? wanted.slice(0, 2000) : undefined} defaultValue={selector.requestId || selector.alertId || selector.url} key={wanted} />
        <label>
          user <input name="user" size={14} defaultValue={selector.user} />
        </label>
        <label>
          at <input name="at" size={20} placeholder="RFC 3339 (url)" defaultValue={selector.at} />
        </label>
        <button type="submit">Follow</button>
      </form>
      {!wanted && <p class="muted">Give a request id, an alert id or a URL — or open an alert and choose “Follow the packet”.</p>}
      <ErrorBox error={trail.error} />
      <Loading when={trail.loading} />
      {trail.data && !trail.loading && (
        <>
          <p class="muted wrap" data-testid="trail-anchor">
            {trail.data.anchor ? `anchor: ${trail.data.anchor.dataset} event ${trail.data.anchor.eventId} at ${timeText(trail.data.anchor.timestamp)}` : 'no anchor event'} · {trail.data.tookMs} ms
          </p>
          <div class="legend">
            {['allowed', 'blocked', 'bypassed', 'missing', 'not-reached'].map((v) => (
              <Badge kind={v}>{v}</Badge>
            ))}
          </div>
          <TrailDiagram trail={trail.data} selected={hopKind} />
          {trail.data.gaps.length > 0 && (
            <ul class="gaps">
              {trail.data.gaps.map((g) => (
                <li>{g}</li>
              ))}
            </ul>
          )}
          {(trail.data.notes ?? []).map((n) => (
            <p class="muted wrap">{n}</p>
          ))}
          <p class="muted">times in {zoneLabel()}</p>
          {hop ? <HopPanel hop={hop} /> : <p class="muted">Click a hop (or focus it and press Enter) for its events and the evidence of the join.</p>}
        </>
      )}
    </section>
  );
}
