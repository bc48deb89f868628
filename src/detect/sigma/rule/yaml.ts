import { LineCounter, parseAllDocuments, isAlias, isMap, isPair, isScalar, isSeq, visit, type Document, type Node } from 'yaml';

/** Largest rule or mapping file read (SigmaHQ's largest is 295 KB). */
export const MAX_RULE_FILE_BYTES = 4 * 1024 * 1024;
/** Deepest YAML nesting in a rule document (rules need about 5 levels): reading and merging recurse per level. */
export const MAX_YAML_DEPTH = 64;
/** The yaml library's `maxAliasCount` (alias uses weighed by their size): a billion-laughs file is over it at once. */
export const MAX_YAML_ALIAS_COUNT = 100;

const TOO_DEEP = 'YAML nested too deeply to read (the reader ran out of stack)';

/** A reason for a YAML file the reader cannot take (too deep, aliases expanding), or undefined for other errors. */
export function yamlLimitReason(e: unknown): string | undefined {
  // yaml reports its own stack overflows as parse errors too.
  if (e instanceof Error && /maximum call stack/i.test(e.message)) return TOO_DEEP;
  if (e instanceof ReferenceError && /alias/i.test(e.message)) return `YAML aliases expand beyond ${MAX_YAML_ALIAS_COUNT} nodes (maxAliasCount)`;
  return undefined;
}

/** Why a file of `bytes` bytes is not read, or undefined. */
export function fileSizeReason(bytes: number, what = 'rule file'): string | undefined {
  return bytes > MAX_RULE_FILE_BYTES ? `${what} is ${bytes} bytes, over the limit of ${MAX_RULE_FILE_BYTES} bytes` : undefined;
}

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
  const out: YamlResult = { docs: [], errors: [] };
  const tooLarge = fileSizeReason(Buffer.byteLength(text));
  if (tooLarge) {
    out.errors.push({ message: tooLarge });
    return out;
  }
  const lineCounter = new LineCounter();
  let parsed: ReturnType<typeof parseDocuments>;
  try {
    parsed = parseDocuments(text, lineCounter);
  } catch (e) {
    // The library's parser recurses per block level and overflows the stack well before any sane rule does.
    const reason = yamlLimitReason(e);
    if (!reason) throw e;
    out.errors.push({ message: reason });
    return out;
  }
  if (!Array.isArray(parsed)) return out;
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  let global: { value: Record<string, unknown>; doc: Document } | undefined;
  let previous: { value: Record<string, unknown>; doc: Document } | undefined;
  parsed.forEach((doc, index) => {
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    if (doc.errors.length) {
      for (const e of doc.errors) {
        const line = e.linePos?.[0]?.line ?? lineOf(e.pos[0]);
        out.errors.push({ line, message: yamlLimitReason(e) ?? `YAML: ${e.message.split('\n')[0]}` });
      }
      return;
    }
    const deep = nodeDeeperThan(doc.contents, MAX_YAML_DEPTH);
    if (deep) {
      out.errors.push({ line: lineOf(deep.range?.[0] ?? start), message: `YAML nested deeper than ${MAX_YAML_DEPTH} levels` });
      return;
    }
    keepNumberText(doc);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT }) as unknown;
    } catch (e) {
      const reason = yamlLimitReason(e);
      if (!reason) throw e;
      out.errors.push({ line: lineOf(start), message: reason });
      return;
    }
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

function parseDocuments(text: string, lineCounter: LineCounter) {
  return parseAllDocuments(text, { lineCounter, uniqueKeys: true, keepSourceTokens: true });
}

/** The first node nested deeper than `max` collections (aliases are not followed: yaml's alias limit bounds them). */
function nodeDeeperThan(root: unknown, max: number): Node | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 0 }];
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    if (isAlias(node) || !(isMap(node) || isSeq(node))) continue;
    if (depth >= max) return node;
    for (const item of node.items) {
      if (isPair(item)) {
        stack.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
      } else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return undefined;
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
