export { compileSpl, compileSplOn, type CompileOptions, type CompiledSpl, type RowReader } from './compile.js';
export type { SeriesCount, SeriesSet } from './timechart.js';
export { MAX_TIMECHART_COLUMNS } from './timechart.js';
export { parse } from './parser.js';
export { lex, splitPipeline, type Token } from './lexer.js';
export { SplError } from './errors.js';
export { loadAliases, addAliasText, builtinAliasFile, AliasError, type AliasTable, type FieldAlias } from './aliases.js';
export { looksLikeSpl } from './detect.js';
export type { Command, Expr, SearchNode } from './ast.js';
