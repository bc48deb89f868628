import type { EvalFunction } from '../functions.js';
import { ipv4Number, ipv4Range } from '../ip.js';
import type { Call } from './call.js';

const num = (x: string) => `TRY_CAST(CAST(${x} AS VARCHAR) AS DOUBLE)`;
const unary = (fn: string): EvalFunction => ({ min: 1, max: 1, returns: 'number', compile: (call) => `${fn}(${num(call.sql(0))})` });
const binary = (fn: string): EvalFunction => ({ min: 2, max: 2, returns: 'number', compile: (call) => `${fn}(${num(call.sql(0))}, ${num(call.sql(1))})` });

/**
 * cidrmatch("<cidr>", ip): the subnet must be a literal. IPv4 only: an IPv6 subnet is refused (IPv6
 * text has several spellings; the store's canonical form is not compared bit by bit here).
 */
function cidrmatch(call: Call): string {
  const cidr = call.literal(0, 'the subnet');
  const range = ipv4Range(cidr);
  if (!range) throw call.ctx.error(cidr.includes(':') ? 'cidrmatch with an IPv6 subnet is not supported' : `invalid subnet '${cidr}' (a.b.c.d/n)`, call.args[0]!);
  const [low, high] = range;
  return `coalesce(${ipv4Number(call.sql(1))} BETWEEN ${call.ctx.number(String(low), call.args[0]!)} AND ${call.ctx.number(String(high), call.args[0]!)}, FALSE)`;
}

/** Mathematical, trigonometric and IP functions. Arguments that are not numbers give NULL. */
export const MATH_FUNCTIONS: Record<string, EvalFunction> = {
  // Splunk's pi() has 11 decimals.
  pi: { min: 0, max: 0, returns: 'number', compile: () => 'CAST(3.14159265359 AS DOUBLE)' },
  exact: { min: 1, max: 1, returns: 'number', compile: (call) => num(call.sql(0)) },
  random: { min: 0, max: 0, returns: 'number', compile: () => 'CAST(floor(random() * 2147483648) AS BIGINT)' },
  acos: unary('acos'),
  asin: unary('asin'),
  atan: unary('atan'),
  atan2: binary('atan2'),
  cos: unary('cos'),
  sin: unary('sin'),
  tan: unary('tan'),
  acosh: unary('acosh'),
  asinh: unary('asinh'),
  atanh: unary('atanh'),
  cosh: unary('cosh'),
  sinh: unary('sinh'),
  tanh: unary('tanh'),
  hypot: { min: 2, max: 2, returns: 'number', compile: (call) => `sqrt(pow(${num(call.sql(0))}, 2) + pow(${num(call.sql(1))}, 2))` },
  cidrmatch: { min: 2, max: 2, compile: cidrmatch },
};
