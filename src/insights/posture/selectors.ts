import type { AdvancedEventSelector, EventSelector, TrailInput } from './parse.js';

/** How much of one kind of event a trail records. */
export interface Coverage {
  level: 'all' | 'partial' | 'none' | 'unknown';
  /** Why partial/none/unknown, in words. */
  note?: string;
}

type Field = NonNullable<AdvancedEventSelector['FieldSelectors']>[number];

const ALL_S3 = /^arn:(aws|aws-cn|aws-us-gov):s3(:::)?$/;
const ALL_LAMBDA = /^arn:(aws|aws-cn|aws-us-gov):lambda$/;
const DATA_TYPES = { s3: { type: 'AWS::S3::Object', all: ALL_S3 }, lambda: { type: 'AWS::Lambda::Function', all: ALL_LAMBDA } } as const;

function field(s: AdvancedEventSelector, name: string): Field | undefined {
  return s.FieldSelectors?.find((f) => f.Field === name);
}

function best(list: Coverage[]): Coverage {
  for (const level of ['all', 'partial'] as const) {
    const hit = list.find((c) => c.level === level);
    if (hit) return hit;
  }
  return { level: 'none' };
}

/** Restrictions an advanced selector puts on top of its category/type, in words (empty: none). */
function restrictions(s: AdvancedEventSelector, ignore: string[]): string[] {
  const out: string[] = [];
  for (const f of s.FieldSelectors ?? []) {
    if (!f.Field || ignore.includes(f.Field)) continue;
    if (f.Field === 'readOnly') out.push(f.Equals?.includes('true') ? 'read-only calls only' : 'write calls only');
    else {
      const ops = (['Equals', 'StartsWith', 'EndsWith', 'NotEquals', 'NotStartsWith', 'NotEndsWith'] as const).filter((k) => f[k]?.length);
      out.push(`${f.Field} ${ops.map((k) => `${k} ${f[k]!.slice(0, 3).join(', ')}${f[k]!.length > 3 ? ', …' : ''}`).join(' and ')}`);
    }
  }
  return out;
}

function advancedManagement(sels: readonly AdvancedEventSelector[]): Coverage {
  return best(
    sels.map((s) => {
      if (!field(s, 'eventCategory')?.Equals?.includes('Management')) return { level: 'none' };
      const r = restrictions(s, ['eventCategory']);
      return r.length ? { level: 'partial', note: r.join('; ') } : { level: 'all' };
    }),
  );
}

function advancedData(sels: readonly AdvancedEventSelector[], kind: keyof typeof DATA_TYPES): Coverage {
  return best(
    sels.map((s) => {
      if (!field(s, 'eventCategory')?.Equals?.includes('Data')) return { level: 'none' };
      if (!field(s, 'resources.type')?.Equals?.includes(DATA_TYPES[kind].type)) return { level: 'none' };
      const r = restrictions(s, ['eventCategory', 'resources.type']);
      return r.length ? { level: 'partial', note: r.join('; ') } : { level: 'all' };
    }),
  );
}

function classicManagement(sels: readonly EventSelector[]): Coverage {
  return best(
    sels.map((s) => {
      if (s.IncludeManagementEvents === false) return { level: 'none' };
      const notes = [];
      if (s.ReadWriteType && s.ReadWriteType !== 'All') notes.push(s.ReadWriteType === 'ReadOnly' ? 'read-only calls only' : 'write calls only');
      if (s.ExcludeManagementEventSources?.length) notes.push(`excludes ${s.ExcludeManagementEventSources.join(', ')}`);
      return notes.length ? { level: 'partial', note: notes.join('; ') } : { level: 'all' };
    }),
  );
}

function classicData(sels: readonly EventSelector[], kind: keyof typeof DATA_TYPES): Coverage {
  return best(
    sels.map((s) => {
      const values = (s.DataResources ?? []).filter((d) => d.Type === DATA_TYPES[kind].type).flatMap((d) => d.Values ?? []);
      if (!values.length) return { level: 'none' };
      const notes = [];
      if (!values.some((v) => DATA_TYPES[kind].all.test(v))) notes.push(`only ${values.slice(0, 3).join(', ')}${values.length > 3 ? ', …' : ''}`);
      if (s.ReadWriteType && s.ReadWriteType !== 'All') notes.push(s.ReadWriteType === 'ReadOnly' ? 'read-only calls only' : 'write calls only');
      return notes.length ? { level: 'partial', note: notes.join('; ') } : { level: 'all' };
    }),
  );
}

/** What the trail records: management events, S3 object-level and Lambda invoke data events. */
export function eventCoverage(t: TrailInput): { management: Coverage; s3: Coverage; lambda: Coverage } {
  const sel = t.selectors;
  if (!sel) {
    // Without get-event-selectors output: a trail with no custom selectors logs all management events and no data events.
    if (t.config.HasCustomEventSelectors === false) return { management: { level: 'all' }, s3: { level: 'none' }, lambda: { level: 'none' } };
    const unknown: Coverage = { level: 'unknown', note: 'not assessed: pass the get-event-selectors output' };
    return { management: unknown, s3: unknown, lambda: unknown };
  }
  if (sel.AdvancedEventSelectors?.length) {
    const a = sel.AdvancedEventSelectors;
    return { management: advancedManagement(a), s3: advancedData(a, 's3'), lambda: advancedData(a, 'lambda') };
  }
  const c = sel.EventSelectors ?? [];
  return { management: classicManagement(c), s3: classicData(c, 's3'), lambda: classicData(c, 'lambda') };
}
