import { LineCounter, parseAllDocuments, isMap, isPair, isScalar, isSeq, visit, type Document, type Node } from 'yaml';

/** One logical rule document: its plain value, and where its keys are in the file. */
export interface RuleDocument {
  value: Record<string, unknown>;
  /** 1-based line of the document start. */
  line: number;
  /** Line of a key path (`['detection', 'selection']`), searching this document then its legacy global. */
  locate(path: readonly (string | number)[]): number | undefined;
  /** Position in the file (0-based), for ids of rules without one. */
  index: number;
  /** Part of a legacy collection (`action: global`/`repeat`): documents share the id, so it gets `#index`. */
  collection: boolean;
}

export interface YamlResult {
  docs: RuleDocument[];
  errors: { line?: number; message: string }[];
}

/**
 * Reads a (multi-document) YAML rule file. Legacy Sigma 1 collections are supported:
 * `action: global` is merged into every following document, `action: reset` clears it and
 * `action: repeat` repeats the previous document with the new keys merged in.
 */
export function readRuleYaml(text: string): YamlResult {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: true, keepSourceTokens: true });
  const out: YamlResult = { docs: [], errors: [] };
  if (!Array.isArray(parsed)) return out;
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  let global: { value: Record<string, unknown>; doc: Document } | undefined;
  let previous: { value: Record<string, unknown>; doc: Document } | undefined;
  parsed.forEach((doc, index) => {
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    if (doc.errors.length) {
      for (const e of doc.errors) out.errors.push({ line: e.linePos?.[0]?.line ?? lineOf(e.pos[0]), message: `YAML: ${e.message.split('\n')[0]}` });
      return;
    }
    keepNumberText(doc);
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      out.errors.push({ line: lineOf(start), message: 'expected a YAML mapping (a rule document)' });
      return;
    }
    const obj = value as Record<string, unknown>;
    const action = obj.action;
    const locators = (docs: (Document | undefined)[]) => (path: readonly (string | number)[]) => {
      for (const d of docs) {
        const off = d ? keyOffset(d.contents, path) : undefined;
        if (off !== undefined) return lineOf(off);
      }
      return undefined;
    };
    if (action !== undefined) {
      const rest = { ...obj };
      delete rest.action;
      if (action === 'global') global = { value: rest, doc };
      else if (action === 'reset') global = undefined;
      else if (action === 'repeat') {
        if (!previous) {
          out.errors.push({ line: lineOf(start), message: "'action: repeat' without a previous document" });
          return;
        }
        previous = { value: deepMerge(previous.value, rest), doc };
        out.docs.push({ value: previous.value, line: lineOf(start), locate: locators([doc, global?.doc]), index, collection: true });
      } else out.errors.push({ line: lineOf(start), message: `unknown collection action '${String(action)}' (expected global, reset or repeat)` });
      return;
    }
    const merged = global ? deepMerge(global.value, obj) : obj;
    previous = { value: merged, doc };
    out.docs.push({ value: merged, line: lineOf(start), locate: locators([doc, global?.doc]), index, collection: global !== undefined });
  });
  return out;
}

/**
 * Rules are written for YAML 1.1 readers, where `00000429` is a string, not 429: a plain scalar
 * that YAML reads as a number but whose text is not that number's text stays text.
 */
function keepNumberText(doc: Document): void {
  visit(doc, {
    Scalar(_key, node) {
      const source = (node.srcToken as { source?: string } | undefined)?.source;
      if (typeof node.value === 'number' && source !== undefined && node.type === 'PLAIN' && String(node.value) !== source.trim()) node.value = source.trim();
    },
  });
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function keyOffset(node: unknown, path: readonly (string | number)[]): number | undefined {
  let cur = node as Node | null | undefined;
  let offset: number | undefined;
  for (const p of path) {
    if (isMap(cur)) {
      const pair = cur.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(p));
      if (!pair) return offset;
      offset = (pair.key as Node).range?.[0] ?? offset;
      cur = pair.value as Node;
    } else if (isSeq(cur) && typeof p === 'number') {
      const item = cur.items[p] as Node | undefined;
      if (!item) return offset;
      offset = item.range?.[0] ?? offset;
      cur = item;
    } else return offset;
  }
  return offset;
}
