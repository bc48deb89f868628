import type { Token } from './lexer.js';

/** A search expression (base search and `| search`): Splunk's precedence is NOT, then OR, then AND. */
export type SearchNode =
  | { kind: 'and' | 'or'; items: SearchNode[]; pos: number; end: number }
  | { kind: 'not'; item: SearchNode; pos: number; end: number }
  | { kind: 'cmp'; field: Token; op: string; value: Token; pos: number; end: number }
  | { kind: 'in'; field: Token; values: Token[]; pos: number; end: number }
  | { kind: 'term'; value: Token; pos: number; end: number }
  /** `[ … ]`: a subsearch whose results become a filter (`tok.text` is the search between the brackets). */
  | { kind: 'subsearch'; tok: Token; pos: number; end: number };

/** An eval/where expression. */
export type Expr =
  | { kind: 'lit'; type: 'string' | 'number'; tok: Token; pos: number; end: number }
  | { kind: 'const'; value: 'true' | 'false' | 'null'; pos: number; end: number }
  | { kind: 'field'; tok: Token; pos: number; end: number }
  | { kind: 'call'; name: Token; args: Expr[]; pos: number; end: number }
  | { kind: 'bin'; op: Token; left: Expr; right: Expr; pos: number; end: number }
  | { kind: 'unary'; op: Token; arg: Expr; pos: number; end: number }
  | { kind: 'in'; arg: Expr; list: Expr[]; negated: boolean; pos: number; end: number }
  | { kind: 'like'; arg: Expr; pattern: Expr; negated: boolean; pos: number; end: number };

/** One aggregation of stats/timechart: `fn(field) as name`. */
export interface Agg {
  fn: Token;
  field: Token | null;
  as: Token | null;
  /** The output column name Splunk would give it: `count`, `dc(user)`, `perc95(bytes)`. */
  label: string;
  /** `count(eval(status>=400))`: the expression aggregated instead of a field. */
  expr?: Expr;
}

export interface SortKey {
  field: Token;
  desc: boolean;
}

export type Command =
  | { cmd: 'search'; node: SearchNode | null; tok: Token }
  | { cmd: 'where'; expr: Expr; tok: Token }
  | { cmd: 'eval'; assignments: { name: Token; expr: Expr }[]; tok: Token }
  | { cmd: 'stats'; aggs: Agg[]; by: Token[]; tok: Token }
  | {
      cmd: 'timechart';
      span: Token | null;
      aggs: Agg[];
      by: Token | null;
      /**
       * Series kept by `by` (default 10; 0: all), `limit=N`/`topN` the highest ranked, `bottomN` the
       * lowest; the rest are summed up as OTHER unless `useother=f`.
       */
      limit: Token | null;
      /** `limit=bottomN`: keep the lowest ranked series instead of the highest. */
      bottom: boolean;
      useother: boolean;
      /** Events without the `by` field form a NULL series unless `usenull=f`. */
      usenull: boolean;
      /** Empty time buckets between the first and the last are shown (count 0) unless `cont=f`. */
      cont: boolean;
      tok: Token;
    }
  | { cmd: 'table'; fields: Token[]; tok: Token }
  | { cmd: 'fields'; remove: boolean; fields: Token[]; tok: Token }
  | { cmd: 'rename'; pairs: { from: Token; to: Token }[]; tok: Token }
  | { cmd: 'sort'; limit: Token | null; keys: SortKey[]; tok: Token }
  | { cmd: 'head'; count: Token | null; tok: Token }
  | { cmd: 'tail'; count: Token | null; tok: Token }
  | { cmd: 'dedup'; count: Token | null; fields: Token[]; sortby: SortKey[]; keepempty: boolean; consecutive: boolean; keepevents: boolean; tok: Token }
  | { cmd: 'top'; limit: Token | null; fields: Token[]; by: Token[]; showperc: boolean; tok: Token }
  | { cmd: 'rare'; limit: Token | null; fields: Token[]; by: Token[]; showperc: boolean; tok: Token }
  /** A command of its own module (commands/index.ts): `node` is what its parser made. */
  | { cmd: 'module'; name: string; node: unknown; tok: Token };

export type CommandName = Command['cmd'];
