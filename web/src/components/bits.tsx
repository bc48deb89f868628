import type { ComponentChildren } from 'preact';
import { flatten } from '../format.ts';

export function Badge({ kind, children }: { kind: string; children: ComponentChildren }) {
  return <span class={`badge badge-${kind.replace(/[^a-z-]/g, '')}`}>{children}</span>;
}

export function ErrorBox({ error }: { error?: string | undefined }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      {error}
    </div>
  );
}

export function Loading({ when }: { when: boolean }) {
  return when ? <div class="loading" aria-live="polite">loading…</div> : null;
}

/** An ECS document as a two-column field/value list. */
export function EventFields({ doc }: { doc: unknown }) {
  const fields = flatten(doc);
  return (
    <table class="fields">
      <tbody>
        {fields.map(([k, v]) => (
          <tr>
            <th scope="row">{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Key → value facts. */
export function Facts({ facts }: { facts: Record<string, unknown> }) {
  const entries = Object.entries(facts);
  if (!entries.length) return null;
  return (
    <dl class="facts">
      {entries.map(([k, v]) => (
        <>
          <dt>{k}</dt>
          <dd>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
        </>
      ))}
    </dl>
  );
}
