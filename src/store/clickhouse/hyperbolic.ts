import type { HyperbolicName } from '../spl-functions.js';

/**
 * Hyperbolic functions and atan2 on ClickHouse 18.16, which has none of them: from exp, log and atan,
 * with a series near zero where the closed forms lose digits (cancellation), and the asymptotic form
 * where they overflow. Accurate to about 15 significant digits, as DuckDB's libm ones.
 */

/** Below this magnitude the series are used (their next term is under 1e-13 of the value). */
const SMALL = '0.1';

/** A SQL expression of `x` evaluated once: a lambda over a one-element array. */
const bind = (x: string, body: (v: string) => string) => `arrayMap(v -> ${body('v')}, [toFloat64(${x})])[1]`;

const sinhOf = (v: string) =>
  `if(abs(${v}) < ${SMALL}, ${v} + pow(${v}, 3) / 6 + pow(${v}, 5) / 120 + pow(${v}, 7) / 5040 + pow(${v}, 9) / 362880, (exp(${v}) - exp(-${v})) / 2)`;
const coshOf = (v: string) => `((exp(${v}) + exp(-${v})) / 2)`;

const FORMS: Record<HyperbolicName, (v: string) => string> = {
  sinh: sinhOf,
  cosh: coshOf,
  tanh: (v) => `if(abs(${v}) > 20, if(${v} < 0, -1, 1), ${sinhOf(v)} / ${coshOf(v)})`,
  asinh: (v) =>
    `if(abs(${v}) < ${SMALL}, ${v} - pow(${v}, 3) / 6 + 3 * pow(${v}, 5) / 40 - 15 * pow(${v}, 7) / 336 + 105 * pow(${v}, 9) / 3456,
      if(${v} < 0, -1, 1) * if(abs(${v}) > 1e8, log(abs(${v})) + log(2), log(abs(${v}) + sqrt(${v} * ${v} + 1))))`,
  acosh: (v) => `if(${v} < 1, nan, if(${v} > 1e8, log(${v}) + log(2), log(${v} + sqrt(${v} * ${v} - 1))))`,
  atanh: (v) =>
    `if(abs(${v}) < ${SMALL}, ${v} + pow(${v}, 3) / 3 + pow(${v}, 5) / 5 + pow(${v}, 7) / 7 + pow(${v}, 9) / 9 + pow(${v}, 11) / 11, 0.5 * log((1 + ${v}) / (1 - ${v})))`,
};

export function clickhouseHyperbolic(name: HyperbolicName, x: string): string {
  return `if(isNull(${x}), NULL, ${bind(`ifNull(${x}, 0)`, FORMS[name])})`;
}

/** atan2(y, x): the angle of the point (x, y), in (-π, π]. */
export function clickhouseAtan2(y: string, x: string): string {
  const pi = 'pi()';
  const body = `multiIf(b > 0, atan(a / b), b < 0 AND a >= 0, atan(a / b) + ${pi}, b < 0, atan(a / b) - ${pi}, a > 0, ${pi} / 2, a < 0, -${pi} / 2, 0)`;
  return `if(isNull(${y}) OR isNull(${x}), NULL, arrayMap((a, b) -> ${body}, [toFloat64(ifNull(${y}, 0))], [toFloat64(ifNull(${x}, 0))])[1])`;
}
