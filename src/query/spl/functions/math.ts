import type { EvalFunction } from '../functions.js';
import { cidrSql, parseSearchCidr } from '../cidr.js';
import type { Call } from './call.js';
import type { HyperbolicName } from '../../../store/spl-functions.js';

/** Any value as a number (its text read as one), NULL when it is not one. */
const num = (call: Call, i: number) => call.ctx.fn.tryDouble(call.ctx.fn.text(call.sql(i)));
const unary = (fn: string): EvalFunction => ({ min: 1, max: 1, returns: 'number', compile: (call) => `${fn}(${num(call, 0)})` });
const hyperbolic = (name: HyperbolicName): EvalFunction => ({ min: 1, max: 1, returns: 'number', compile: (call) => call.ctx.fn.hyperbolic(name, num(call, 0)) });

/**
 * cidrmatch("<subnet>", ip): the subnet (IPv4 `a.b.c.d/n` or IPv6 `prefix/n`; one address without
 * `/n`) must be a literal. The address is tested as a search's CIDR value is (src/query/spl/cidr.ts):
 * text that is not an address of the subnet's version is not in it; no address is false.
 */
function cidrmatch(call: Call): string {
  const text = call.literal(0, 'the subnet').trim();
  const cidr = parseSearchCidr(text.includes('/') ? text : `${text}/${text.includes(':') ? 128 : 32}`);
  if (!cidr) throw call.ctx.error(`invalid subnet '${text}' (a.b.c.d/n, or an IPv6 prefix such as 2001:db8::/32)`, call.args[0]!);
  const fn = call.ctx.fn;
  return fn.coalesce(cidrSql(call.ctx, fn.text(call.sql(1)), cidr), fn.falseValue);
}

/** Mathematical, trigonometric and IP functions. Arguments that are not numbers give NULL. */
export const MATH_FUNCTIONS: Record<string, EvalFunction> = {
  // Splunk's pi() has 11 decimals.
  pi: { min: 0, max: 0, returns: 'number', compile: () => 'CAST(3.14159265359 AS DOUBLE)' },
  exact: { min: 1, max: 1, returns: 'number', compile: (call) => num(call, 0) },
  random: { min: 0, max: 0, returns: 'number', compile: () => 'CAST(floor(random() * 2147483648) AS BIGINT)' },
  acos: unary('acos'),
  asin: unary('asin'),
  atan: unary('atan'),
  atan2: { min: 2, max: 2, returns: 'number', compile: (call) => call.ctx.fn.atan2(num(call, 0), num(call, 1)) },
  cos: unary('cos'),
  sin: unary('sin'),
  tan: unary('tan'),
  acosh: hyperbolic('acosh'),
  asinh: hyperbolic('asinh'),
  atanh: hyperbolic('atanh'),
  cosh: hyperbolic('cosh'),
  sinh: hyperbolic('sinh'),
  tanh: hyperbolic('tanh'),
  hypot: { min: 2, max: 2, returns: 'number', compile: (call) => `sqrt(pow(${num(call, 0)}, 2) + pow(${num(call, 1)}, 2))` },
  cidrmatch: { min: 2, max: 2, compile: cidrmatch },
};
