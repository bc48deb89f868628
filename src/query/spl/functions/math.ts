import type { EvalFunction } from '../functions.js';
import type { Call } from './call.js';

const num = (x: string) => `TRY_CAST(CAST(${x} AS VARCHAR) AS DOUBLE)`;
const unary = (fn: string): EvalFunction => ({ min: 1, max: 1, returns: 'number', compile: (call) => `${fn}(${num(call.sql(0))})` });
const binary = (fn: string): EvalFunction => ({ min: 2, max: 2, returns: 'number', compile: (call) => `${fn}(${num(call.sql(0))}, ${num(call.sql(1))})` });

/** IPv4 text → its number, or NULL (four decimal octets up to 255). */
function ipv4(x: string): string {
  const parts = `string_split(CAST(${x} AS VARCHAR), '.')`;
  const octet = (i: number) => `CAST(TRY_CAST(${parts}[${i}] AS UTINYINT) AS BIGINT)`;
  return `CASE WHEN regexp_full_match(CAST(${x} AS VARCHAR), '\\d{1,3}(\\.\\d{1,3}){3}') THEN ${octet(1)} * 16777216 + ${octet(2)} * 65536 + ${octet(3)} * 256 + ${octet(4)} END`;
}

/**
 * cidrmatch("<cidr>", ip): the subnet must be a literal. IPv4 only: an IPv6 subnet is refused (IPv6
 * text has several spellings; the store's canonical form is not compared bit by bit here).
 */
function cidrmatch(call: Call): string {
  const cidr = call.literal(0, 'the subnet');
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?$/.exec(cidr.trim());
  if (!m) throw call.ctx.error(cidr.includes(':') ? 'cidrmatch with an IPv6 subnet is not supported' : `invalid subnet '${cidr}' (a.b.c.d/n)`, call.args[0]!);
  const octets = m[1]!.split('.').map(Number);
  const bits = m[2] === undefined ? 32 : Number(m[2]);
  if (octets.some((o) => o > 255) || bits > 32) throw call.ctx.error(`invalid subnet '${cidr}'`, call.args[0]!);
  const base = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const low = Math.floor(base / size) * size;
  const ip = ipv4(call.sql(1));
  return `coalesce(${ip} BETWEEN ${call.ctx.number(String(low), call.args[0]!)} AND ${call.ctx.number(String(low + size - 1), call.args[0]!)}, FALSE)`;
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
