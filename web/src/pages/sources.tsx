import { useState } from 'preact/hooks';
import { qs } from '../api.ts';
import { Badge, ErrorBox, Loading } from '../components/bits.tsx';
import { cellText, formatCount, timeText } from '../format.ts';
import { useApi } from '../hooks.ts';
import { href } from '../router.ts';

type Row = Record<string, unknown>;

interface Sources {
  datasets: Row[];
  files: Row[];
  rejections: Row[];
}

interface Rule {
  id: string;
  title: string;
  level: string;
  kind: string;
  formats: string[];
  loaded: boolean;
  hits: number;
  lastHit: string | null;
}

const num = (v: unknown) => formatCount(Number(v ?? 0));

function DeadLetters({ dataset, reason }: { dataset: string; reason: string }) {
  const d = useApi<{ total: number; samples: Row[] }>(`/api/dead-letters${qs({ dataset, reason, limit: 5 })}`);
  if (d.error) return <ErrorBox error={d.error} />;
  if (!d.data) return <Loading when />;
  return (
    <div class="samples">
      {d.data.samples.map((s) => (
        <div>
          <p class="muted">
            {cellText(s.source)}:{cellText(s.line)}
          </p>
          <pre>{cellText(s.record)}</pre>
        </div>
      ))}
    </div>
  );
}

export function SourcesPage() {
  const sources = useApi<Sources>('/api/sources');
  const rules = useApi<{ rules: Rule[]; errors: { path: string; message: string }[] }>('/api/rules');
  const [open, setOpen] = useState<string>();
  return (
    <section>
      <h1>Sources and rules</h1>
      <ErrorBox error={sources.error} />
      <Loading when={sources.loading} />
      {sources.data && (
        <>
          <h2>Ingested, per dataset</h2>
          <table class="list" data-testid="datasets">
            <thead>
              <tr>
                <th>dataset</th>
                <th class="num">files</th>
                <th class="num">records</th>
                <th class="num">events</th>
                <th class="num">newly stored</th>
                <th class="num">duplicates</th>
                <th class="num">rejected</th>
                <th>last ingested</th>
              </tr>
            </thead>
            <tbody>
              {sources.data.datasets.map((d) => (
                <tr>
                  <td>{cellText(d.dataset)}</td>
                  <td class="num">{num(d.files)}</td>
                  <td class="num">{num(d.records)}</td>
                  <td class="num">{num(d.events)}</td>
                  <td class="num">{num(d.stored)}</td>
                  <td class="num">{num(d.duplicates)}</td>
                  <td class="num">{num(d.rejected)}</td>
                  <td>{timeText(d.last_ingested)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Rejected records</h2>
          {!sources.data.rejections.length && <p class="muted">nothing was rejected</p>}
          <ul class="rejections">
            {sources.data.rejections.map((r) => {
              const key = `${cellText(r.dataset)}\u0000${cellText(r.reason)}`;
              return (
                <li>
                  <button class="link" type="button" aria-expanded={open === key} onClick={() => setOpen(open === key ? undefined : key)}>
                    {num(r.count)} × {cellText(r.dataset)}: {cellText(r.reason)}
                  </button>
                  {open === key && <DeadLetters dataset={cellText(r.dataset)} reason={cellText(r.reason)} />}
                </li>
              );
            })}
          </ul>
          <details>
            <summary>Latest files ({sources.data.files.length})</summary>
            <table class="list">
              <thead>
                <tr>
                  <th>path</th>
                  <th>dataset</th>
                  <th class="num">events</th>
                  <th class="num">rejected</th>
                  <th>ingested</th>
                </tr>
              </thead>
              <tbody>
                {sources.data.files.map((f) => (
                  <tr>
                    <td class="clip">{cellText(f.path)}</td>
                    <td>{cellText(f.dataset)}</td>
                    <td class="num">{num(f.events)}</td>
                    <td class="num">{num(f.rejected)}</td>
                    <td>{timeText(f.ingested_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
      <h2>Rules</h2>
      <ErrorBox error={rules.error} />
      <Loading when={rules.loading} />
      {rules.data && (
        <>
          <p class="muted">
            {rules.data.rules.filter((r) => r.loaded).length} rules loaded, {rules.data.rules.filter((r) => r.hits > 0).length} with alerts
            {rules.data.errors.length > 0 && `, ${rules.data.errors.length} failed to load`}
          </p>
          <table class="list" data-testid="rules">
            <thead>
              <tr>
                <th>rule</th>
                <th>level</th>
                <th>kind</th>
                <th>formats</th>
                <th class="num">alerts</th>
                <th>last alert</th>
              </tr>
            </thead>
            <tbody>
              {rules.data.rules.map((r) => (
                <tr>
                  <td>{r.title}</td>
                  <td>
                    <Badge kind={r.level}>{r.level}</Badge>
                  </td>
                  <td>{r.loaded ? r.kind : `${r.kind} (not in the loaded rules)`}</td>
                  <td class="clip">{r.formats.join(', ')}</td>
                  <td class="num">{r.hits ? <a href={href('/alerts', { rule: r.id })}>{formatCount(r.hits)}</a> : '0'}</td>
                  <td>{r.lastHit ? timeText(r.lastHit) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rules.data.errors.map((e) => (
            <p class="error">
              {e.path}: {e.message}
            </p>
          ))}
        </>
      )}
    </section>
  );
}
