import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { Expr, SearchNode } from './ast.js';
import { Cursor } from './cursor.js';
import { lex } from './lexer.js';
import { parseExpr } from './parse-expr.js';
import { parseSearch } from './parser.js';

/**
 * The CIM data models `tstats … from datamodel=` reads (rules/mappings/cim-datamodels.yml): each
 * dataset's constraint and the model's fields, as SPL over packettrail's fields.
 */
export interface DataModel {
  name: string;
  root: Dataset;
  /** CIM field → its expression; the default where the value is empty. */
  fields: Map<string, ModelField>;
  /** Why tstats over this model is refused (it cannot be answered as Splunk would), when it is. */
  refused: string | null;
  /**
   * The root's constraint over the model's own fields (Change's `tag=change`), applied once they are
   * computed; the root's `constraint` selects the events they are computed for.
   */
  fieldsConstraint: SearchNode | null;
}

export interface ModelField {
  expr: Expr;
  text: string;
  default: string | null;
  /** A field defined on a dataset below the root (`Instance_Changes.image_id`): null for events outside it. */
  dataset: Dataset | null;
}

export interface Dataset {
  name: string;
  /** The dataset path without the model name (`All_Traffic.Traffic_By_Action.Allowed_Traffic`): Splunk's nodename. */
  lineage: string;
  constraint: SearchNode | null;
  children: Dataset[];
}

export class DataModelError extends Error {}

export function builtinDataModelFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'rules', 'mappings', 'cim-datamodels.yml');
}

let builtin: Map<string, DataModel> | undefined;

/** The built-in data models (read once). */
export function builtinDataModels(): Map<string, DataModel> {
  return (builtin ??= loadDataModels(readFileSync(builtinDataModelFile(), 'utf8'), builtinDataModelFile()));
}

export function loadDataModels(text: string, file: string): Map<string, DataModel> {
  const doc = parseYaml(text) as { models?: Record<string, Record<string, unknown>> } | null;
  const out = new Map<string, DataModel>();
  for (const [name, spec] of Object.entries(doc?.models ?? {})) {
    const where = `${file}: models.${name}`;
    const rootName = String(spec.root ?? name);
    const defaults = (spec.default ?? {}) as Record<string, unknown>;
    const root = dataset(rootName, rootName, spec, where);
    const below = new Map(datasetsOf({ root } as DataModel).slice(1).map((d) => [d.lineage.slice(rootName.length + 1), d]));
    const fields = new Map<string, ModelField>();
    for (const [field, text] of Object.entries((spec.fields ?? {}) as Record<string, unknown>)) {
      const dot = field.lastIndexOf('.');
      const owner = dot < 0 ? null : below.get(field.slice(0, dot));
      if (owner === undefined) throw new DataModelError(`${where}.fields.${field}: '${field.slice(0, dot)}' is not a dataset of the model (${[...below.keys()].join(', ')})`);
      fields.set(field, { expr: expression(String(text), `${where}.fields.${field}`), text: String(text), default: defaults[field] === undefined ? null : String(defaults[field]), dataset: owner });
    }
    for (const d of Object.keys(defaults)) if (!fields.has(d)) throw new DataModelError(`${where}.default.${d}: not a field of the model`);
    const refused = spec.refused === undefined ? null : String(spec.refused);
    const fieldsConstraint = spec.fields_constraint === undefined ? null : search(String(spec.fields_constraint), `${where}.fields_constraint`);
    for (const f of searchFields(fieldsConstraint)) if (!fields.has(f)) throw new DataModelError(`${where}.fields_constraint: '${f}' is not a field of the model`);
    out.set(name, { name, fields, refused, fieldsConstraint, root });
  }
  return out;
}

function dataset(name: string, lineage: string, spec: Record<string, unknown>, where: string): Dataset {
  const children = Object.entries((spec.children ?? {}) as Record<string, Record<string, unknown>>).map(([child, s]) => dataset(child, `${lineage}.${child}`, s ?? {}, `${where}.children.${child}`));
  return { name, lineage, constraint: spec.constraint === undefined ? null : search(String(spec.constraint), `${where}.constraint`), children };
}

function expression(text: string, where: string): Expr {
  try {
    const c = new Cursor(lex(text, { pos: 0, end: text.length }, 'expr'), text);
    const e = parseExpr(c);
    c.done();
    return e;
  } catch (e) {
    throw new DataModelError(`${where}: ${(e as Error).message}`);
  }
}

function search(text: string, where: string): SearchNode | null {
  try {
    return parseSearch(new Cursor(lex(text, { pos: 0, end: text.length }, 'search'), text));
  } catch (e) {
    throw new DataModelError(`${where}: ${(e as Error).message}`);
  }
}

/** The datasets from the root down to `d`. */
export function lineageOf(model: DataModel, d: Dataset): Dataset[] {
  const path: Dataset[] = [];
  const walk = (x: Dataset): boolean => {
    path.push(x);
    if (x === d || x.children.some(walk)) return true;
    path.pop();
    return false;
  };
  walk(model.root);
  return path;
}

/** The field names a search reads (for the model fields a constraint needs). */
export function searchFields(node: SearchNode | null): string[] {
  if (!node) return [];
  switch (node.kind) {
    case 'and':
    case 'or':
      return node.items.flatMap(searchFields);
    case 'not':
      return searchFields(node.item);
    case 'term':
    case 'subsearch':
      // A subsearch's fields are known only once it has run: the model fields it names are not computed for it.
      return [];
    default:
      return [node.field.text];
  }
}

/** Every dataset of a model, root first. */
export function datasetsOf(model: DataModel): Dataset[] {
  const out: Dataset[] = [];
  const walk = (d: Dataset) => {
    out.push(d);
    d.children.forEach(walk);
  };
  walk(model.root);
  return out;
}
