import { getPath, type EcsEvent, type EcsValue } from '../../../ecs/event.js';
import type { Alert } from '../../types.js';
import { resolveField, targetsFor, type Mappings } from '../pipeline/mappings.js';
import type { RuleSet, SigmaCorrelation, SigmaRule } from '../rule/types.js';

/**
 * Reads correlation fields (group-by, aliases, condition.field) from the events of base-rule matches:
 * a Sigma field name is resolved through the base rule's field map for the event's format (ECS
 * paths directly under `taxonomy: ecs`); from an inner correlation's alert, through its key.
 */
export class FieldReader {
  private readonly rules = new Map<string, SigmaRule>();
  private readonly paths = new Map<string, string[]>();

  constructor(
    ruleSet: RuleSet,
    private readonly mappings: Mappings,
  ) {
    for (const r of ruleSet.rules) this.rules.set(r.ruleId, r);
  }

  /** The field name a correlation field stands for under the reference `ref` (aliases resolved). */
  private fieldFor(c: SigmaCorrelation, field: string, ref: string): string {
    return c.aliases.get(field)?.get(ref) ?? field;
  }

  private read(c: SigmaCorrelation, field: string, ruleId: string, event: EcsEvent): string | undefined {
    const dataset = event.event?.dataset ?? '';
    const cacheKey = `${c.taxonomy}\u0000${ruleId}\u0000${dataset}\u0000${field}`;
    let paths = this.paths.get(cacheKey);
    if (!paths) {
      const rule = this.rules.get(ruleId);
      const target = rule ? targetsFor(this.mappings, rule.logsource).find((t) => t.format === dataset) : undefined;
      paths = c.taxonomy === 'ecs' || !target ? [field] : resolveField(this.mappings, target, field, rule!.taxonomy);
      this.paths.set(cacheKey, paths);
    }
    for (const p of paths) {
      const v = getPath(event, p);
      if (v !== undefined && v !== null) return text(v);
    }
    return undefined;
  }

  keyFromEvent(c: SigmaCorrelation, ref: string, ruleId: string, event: EcsEvent): Record<string, string> | undefined {
    const key: Record<string, string> = {};
    for (const f of c.groupBy) {
      const v = this.read(c, this.fieldFor(c, f, ref), ruleId, event);
      if (v === undefined) return undefined;
      key[f] = v;
    }
    return key;
  }

  valueFromEvent(c: SigmaCorrelation, ref: string, ruleId: string, event: EcsEvent): string | undefined {
    const field = c.conditions[0]?.field;
    return field === undefined ? undefined : this.read(c, this.fieldFor(c, field, ref), ruleId, event);
  }

  keyFromAlert(c: SigmaCorrelation, ref: string, alert: Alert): Record<string, string> | undefined {
    const key: Record<string, string> = {};
    for (const f of c.groupBy) {
      const v = alert.key?.[this.fieldFor(c, f, ref)];
      if (v === undefined) return undefined;
      key[f] = v;
    }
    return key;
  }

  valueFromAlert(c: SigmaCorrelation, alert: Alert): string | undefined {
    const field = c.conditions[0]?.field;
    return field === undefined ? undefined : alert.key?.[field];
  }
}

function text(v: EcsValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
