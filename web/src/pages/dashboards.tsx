import { useMemo } from 'preact/hooks';
import type { FindingsSection, InsightReport, SeriesSection, TableSection } from '../../../src/insights/report.ts';
import { qs } from '../api.ts';
import { Badge, ErrorBox, Facts, Loading } from '../components/bits.tsx';
import { TimeChart } from '../components/chart.tsx';
import { cellText, formatCount, timeText } from '../format.ts';
import { useApi } from '../hooks.ts';
import { href, setParams, type Location } from '../router.ts';

interface View {
  id: string;
  title: string;
  description: string;
}

function cell(v: string | number | null, type: TableSection['columns'][number]['type']): string {
  if (v === null) return '';
  if (typeof v === 'number') {
    if (type === 'percent') return `${(v * (v <= 1 ? 100 : 1)).toFixed(1)} %`;
    if (type === 'bytes') return v >= 1e6 ? `${(v / 1e6).toFixed(1)} MB` : v >= 1e3 ? `${(v / 1e3).toFixed(1)} kB` : `${v} B`;
    return Number.isInteger(v) ? formatCount(v) : v.toFixed(2);
  }
  return type === 'time' ? timeText(v) : cellText(v);
}

function Table({ s }: { s: TableSection }) {
  return (
    <div class="scroll-x">
      <table class="list">
        <thead>
          <tr>
            {s.columns.map((c) => (
              <th class={c.type === 'string' || c.type === 'time' ? '' : 'num'}>{c.name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {s.rows.slice(0, 500).map((r) => (
            <tr>
              {r.map((v, i) => (
                <td class={s.columns[i]?.type === 'string' || s.columns[i]?.type === 'time' ? 'clip' : 'num'}>{cell(v, s.columns[i]?.type ?? 'string')}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {!s.rows.length && <p class="muted">no rows</p>}
    </div>
  );
}

function Series({ s }: { s: SeriesSection }) {
  const times = useMemo(() => s.buckets.map((b) => Date.parse(b) / 1000), [s]);
  if (!s.buckets.length) return <p class="muted">no data in this range</p>;
  return <TimeChart times={times} series={s.series} label={s.title} />;
}

function Findings({ s }: { s: FindingsSection }) {
  if (!s.findings.length) return <p class="muted">nothing found</p>;
  return (
    <ul class="findings">
      {s.findings.map((f) => (
        <li>
          <Badge kind={f.severity}>{f.severity}</Badge> <strong>{f.title}</strong>
          {f.at && <span class="muted"> · {timeText(f.at)}</span>}
          <p>{f.detail}</p>
          {f.fix && <p class="fix">fix: {f.fix}</p>}
          {f.facts && <Facts facts={f.facts} />}
        </li>
      ))}
    </ul>
  );
}

function Report({ report }: { report: InsightReport }) {
  return (
    <div class="report" data-testid="report">
      <p class="muted">
        {report.range.since || report.range.until ? `${report.range.since ?? '…'} → ${report.range.until ?? '…'}` : 'all stored events'} · {report.tookMs} ms
      </p>
      {report.sections.map((s) => (
        <section class="card" data-section={s.id}>
          <h2>{s.title}</h2>
          {s.kind === 'table' ? <Table s={s} /> : s.kind === 'series' ? <Series s={s} /> : <Findings s={s} />}
        </section>
      ))}
    </div>
  );
}

export function DashboardsPage({ loc, view }: { loc: Location; view: string | undefined }) {
  const views = useApi<{ views: View[] }>('/api/insights');
  const p = loc.params;
  const options = { since: p.get('since') ?? '', until: p.get('until') ?? '', distribution: p.get('distribution') ?? '' };
  const chosen = view ?? views.data?.views[0]?.id;
  const report = useApi<InsightReport>(chosen ? `/api/insights/${encodeURIComponent(chosen)}${qs(options)}` : null);
  const meta = views.data?.views.find((v) => v.id === chosen);
  return (
    <section>
      <h1>Dashboards</h1>
      <ErrorBox error={views.error} />
      <nav class="tabs" aria-label="dashboards">
        {(views.data?.views ?? []).map((v) => (
          <a href={href(`/dashboards/${encodeURIComponent(v.id)}`, options)} aria-current={v.id === chosen ? 'page' : undefined} title={v.description}>
            {v.title}
          </a>
        ))}
      </nav>
      {meta && <p class="muted">{meta.description}</p>}
      <form class="filters" onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget as HTMLFormElement);
        setParams({ since: String(f.get('since') ?? ''), until: String(f.get('until') ?? ''), distribution: String(f.get('distribution') ?? '') });
      }}>
        <label>
          since <input name="since" size={20} placeholder="RFC 3339" defaultValue={options.since} />
        </label>
        <label>
          until <input name="until" size={20} placeholder="RFC 3339" defaultValue={options.until} />
        </label>
        <label>
          distribution <input name="distribution" size={16} defaultValue={options.distribution} />
        </label>
        <button type="submit">Apply</button>
      </form>
      <ErrorBox error={report.error} />
      <Loading when={report.loading} />
      {report.data && !report.loading && <Report report={report.data} />}
    </section>
  );
}
