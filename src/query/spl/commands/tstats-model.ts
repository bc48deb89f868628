import { EVENTS_VIEW } from '../../../store/store.js';
import { quoteIdent, type ColInfo, type Ctx, type Scope } from '../context.js';
import { builtinDataModels, datasetsOf, lineageOf, searchFields, type DataModel, type Dataset } from '../datamodels.js';
import { SplError, suggest } from '../errors.js';
import { compileExpr, isListExpr } from '../expr.js';
import type { Token } from '../lexer.js';
import { compileSearch } from '../search.js';

/**
 * The relation `tstats … from datamodel=` reads: the events of a dataset with the model's fields
 * as columns `<Root>.<field>` (CIM defaults applied), `_time`, the indexed fields asked for and,
 * when named, `nodename` (the lineages of the datasets each event belongs to). Only the fields a
 * query names are computed.
 */
export interface ModelRelation {
  rel: string;
  scope: Scope;
}

/** Fields of events tstats reads besides a model's: Splunk's indexed fields. */
export const INDEXED_FIELDS = ['index', 'sourcetype', 'source', 'host'] as const;

/** A model by its `from datamodel=` name, or a refusal naming the models mapped. */
export function findModel(ctx: Ctx, from: Token): { model: DataModel; dataset: Dataset } {
  const [modelName, ...path] = from.text.split('.');
  const models = builtinDataModels();
  const model = models.get(modelName!);
  if (!model) {
    const hint = suggest(modelName!, models.keys());
    throw ctx.error(`data model '${modelName}' is not mapped onto packettrail's store (mapped: ${[...models.keys()].filter((m) => !models.get(m)!.refused).join(', ')})${hint.length ? `; did you mean ${hint.join(', ')}?` : ''}`, from);
  }
  if (model.refused) throw ctx.error(`tstats over data model ${model.name} is not supported: ${model.refused}`, from);
  if (!path.length) return { model, dataset: model.root };
  const all = datasetsOf(model);
  const wanted = path.join('.');
  const found = all.find((d) => d.lineage === wanted) ?? (path.length === 1 ? all.filter((d) => d.name === path[0]) : []).at(0);
  if (!found) throw ctx.error(`data model ${model.name} has no dataset '${wanted}' mapped (datasets: ${all.map((d) => d.lineage).join(', ')})`, from);
  return { model, dataset: found };
}

/**
 * The model field a query name stands for (`Web.status` → `status`), or a refusal: tstats over a
 * model reads `<Root>.<field>` names, `_time`, `nodename` and the indexed fields only.
 */
export function modelFieldOf(ctx: Ctx, model: DataModel, tok: Token): string | null {
  const name = tok.text;
  if (name === '_time' || name === 'nodename' || (INDEXED_FIELDS as readonly string[]).includes(name)) return null;
  const prefix = `${model.root.name}.`;
  const field = name.startsWith(prefix) ? name.slice(prefix.length) : null;
  if (field !== null && model.fields.has(field)) return field;
  const mapped = [...model.fields.keys()].map((f) => prefix + f);
  const hint = suggest(name, mapped);
  const why = field === null ? `fields of data model ${model.name} are named ${prefix}<field>` : `data model ${model.name} has no field '${field}' mapped onto packettrail's store`;
  throw ctx.error(`tstats: ${why}${hint.length ? `; did you mean ${hint.join(', ')}?` : ` (mapped: ${mapped.join(', ')})`}`, tok);
}

/** The events scope: every catalog column, aliases resolving. */
function eventsScope(ctx: Ctx): Scope {
  return { cols: new Map([...ctx.catalog.values()].map((c) => [c.name, { list: c.type === 'keyword[]', type: c.type }])), base: true };
}

export function modelRelation(ctx: Ctx, model: DataModel, selected: Dataset, named: Set<string>, nodename: boolean, indexed: Set<string>, at: Token): ModelRelation {
  const events = eventsScope(ctx);
  const inModel = <T>(what: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof SplError) throw ctx.error(`data model ${model.name} (cim-datamodels.yml, ${what}): ${e.reason}`, at);
      throw e;
    }
  };
  // The datasets whose constraints apply: the lineage selected, or all of them for nodename.
  const lineage = lineageOf(model, selected).slice(1);
  const constrained = nodename ? datasetsOf(model).slice(1) : lineage;
  const needed = new Set(named);
  for (const f of searchFields(model.fieldsConstraint)) needed.add(f);
  for (const d of constrained) for (const f of searchFields(d.constraint)) if (model.fields.has(f)) needed.add(f);
  // A field of a dataset below the root is null outside it: its dataset's constraints are computed too.
  for (const n of named) {
    const owner = model.fields.get(n)?.dataset;
    if (owner) for (const d of lineageOf(model, owner)) for (const f of searchFields(d.constraint)) if (model.fields.has(f)) needed.add(f);
  }

  const fieldCols: [string, ColInfo][] = [];
  const fieldSql = [...needed].map((name) =>
    inModel(`field ${name}`, () => {
      const f = model.fields.get(name)!;
      const list = isListExpr(ctx, events, f.expr);
      let sql = compileExpr(ctx, events, f.expr);
      if (f.default !== null) {
        const value = ctx.param(f.default);
        // A multivalue field without values (or only empty ones) gets the default as its one value.
        sql = list ? ctx.fn.listValuesOr(sql, value) : ctx.fn.coalesce(`nullif(${ctx.fn.text(sql)}, '')`, value);
      }
      fieldCols.push([name, { list }]);
      return `${sql} AS ${quoteIdent(name)}`;
    }),
  );
  const indexedSql = [...indexed].map((n) => `${ctx.resolve(events, { kind: 'word', text: n, pos: at.pos, end: at.end }).sql} AS ${quoteIdent(n)}`);
  const root = model.root.constraint ? inModel('constraint', () => compileSearch(ctx, events, model.root.constraint!)) : ctx.fn.trueValue;
  const inner = `SELECT ${[`${ctx.time(events, at)} AS "__pt_time"`, '"event_dataset"', ...indexedSql, ...fieldSql].join(', ')} FROM ${quoteIdent(EVENTS_VIEW)} WHERE ${root}`;

  // Constraints below the root read the model's fields (Allowed_Traffic: the model's action=allowed).
  const fieldsScope: Scope = { cols: new Map<string, ColInfo>([['event_dataset', { list: false }], ...fieldCols]), base: true };
  const rootCondition = model.fieldsConstraint ? [inModel('fields_constraint', () => compileSearch(ctx, fieldsScope, model.fieldsConstraint!))] : [];
  const condition = (d: Dataset) => [
    ...rootCondition,
    ...lineageOf(model, d)
      .slice(1)
      .filter((x) => x.constraint)
      .map((x) => inModel(`constraint of ${x.lineage}`, () => compileSearch(ctx, fieldsScope, x.constraint!))),
  ];
  const modelColumn = (n: string): string => {
    const owner = model.fields.get(n)!.dataset;
    const cond = owner ? condition(owner).slice(rootCondition.length) : [];
    return cond.length ? `(CASE WHEN ${cond.join(' AND ')} THEN ${quoteIdent(n)} END)` : quoteIdent(n);
  };
  const prefix = model.root.name;
  const cols = new Map<string, ColInfo>([['_time', { list: false, type: 'date' }], ['event_dataset', { list: false }]]);
  for (const n of indexed) cols.set(n, { list: false });
  for (const [n, c] of fieldCols) if (named.has(n)) cols.set(`${prefix}.${n}`, c);
  const outer = ['"__pt_time" AS "_time"', '"event_dataset"', ...[...indexed].map(quoteIdent), ...fieldCols.filter(([n]) => named.has(n)).map(([n]) => `${modelColumn(n)} AS ${quoteIdent(`${prefix}.${n}`)}`)];
  if (nodename) {
    const memberships = datasetsOf(model).map((d) => {
      const cond = condition(d);
      return cond.length ? `CASE WHEN ${cond.join(' AND ')} THEN ${ctx.param(d.lineage)} END` : ctx.param(d.lineage);
    });
    outer.push(`${ctx.fn.presentValues(memberships)} AS "nodename"`);
    cols.set('nodename', { list: true });
  }
  const where = condition(selected);
  return { rel: `(SELECT ${outer.join(', ')} FROM (${inner}) AS "__pt_model"${where.length ? ` WHERE ${where.join(' AND ')}` : ''})`, scope: { cols, base: true } };
}

/** Without FROM: every event's indexed fields and time. */
export function indexedRelation(ctx: Ctx, at: Token): ModelRelation {
  const events = eventsScope(ctx);
  const cols = new Map<string, ColInfo>([['_time', { list: false, type: 'date' }], ['event_dataset', { list: false }]]);
  const select = [`${ctx.time(events, at)} AS "_time"`, '"event_dataset"'];
  for (const n of INDEXED_FIELDS) {
    select.push(`${ctx.resolve(events, { kind: 'word', text: n, pos: at.pos, end: at.end }).sql} AS ${quoteIdent(n)}`);
    cols.set(n, { list: false });
  }
  return { rel: `(SELECT ${select.join(', ')} FROM ${quoteIdent(EVENTS_VIEW)})`, scope: { cols, base: true } };
}
