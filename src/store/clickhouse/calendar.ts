import type { TimePiece } from '../spl-functions.js';

/**
 * The proleptic Gregorian calendar in integer arithmetic (H. Hinnant's days_from_civil and
 * civil_from_days), for ClickHouse: 18.16's DateTime and Date are unsigned (1970 to 2106), so its
 * date functions give wrong years and months for earlier (or much later) times. These work on any
 * day number (days since 1970-01-01, an Int64) and are what the dialect's SPL time functions use
 * where a time may lie outside DateTime's range. Lambdas bind intermediate values once
 * (`arrayMap((x) -> …, [value])[1]`): 18.16 has no other let.
 */

/** Floor division (and remainder) of an Int64 by a positive constant: intDiv and % round toward zero. */
export const floorDiv = (a: string, b: number): string => `intDiv((${a}) - (((${a}) % ${b}) + ${b}) % ${b}, ${b})`;
export const floorMod = (a: string, b: number): string => `((((${a}) % ${b}) + ${b}) % ${b})`;

/** `body` over names bound to values (each evaluated once). */
export function bind(names: readonly string[], values: readonly string[], body: string): string {
  return `arrayElement(arrayMap((${names.join(', ')}) -> ${body}, ${values.map((v) => `[${v}]`).join(', ')}), 1)`;
}

/** The day number (Int64) of a year, month (1–12) and day: days_from_civil. */
export function daysFromCivil(y: string, m: string, d: string): string {
  return bind(['__pt_cy', '__pt_cm'], [`toInt64(${y}) - if(toInt64(${m}) <= 2, 1, 0)`, `toInt64(${m})`],
    bind(['__pt_cera'], [floorDiv('__pt_cy', 400)],
      bind(['__pt_cyoe'], ['__pt_cy - __pt_cera * 400'],
        `__pt_cera * 146097 + __pt_cyoe * 365 + intDiv(__pt_cyoe, 4) - intDiv(__pt_cyoe, 100) + intDiv(153 * if(__pt_cm > 2, __pt_cm - 3, __pt_cm + 9) + 2, 5) + toInt64(${d}) - 1 - 719468`)));
}

/** [year, month (1–12), day] (Int64) of a day number: civil_from_days. */
export function civilFromDays(days: string): string {
  return bind(['__pt_z'], [`toInt64(${days}) + 719468`],
    bind(['__pt_era'], [floorDiv('__pt_z', 146097)],
      bind(['__pt_doe'], ['__pt_z - __pt_era * 146097'],
        bind(['__pt_yoe'], ['intDiv(__pt_doe - intDiv(__pt_doe, 1460) + intDiv(__pt_doe, 36524) - intDiv(__pt_doe, 146096), 365)'],
          bind(['__pt_doy'], ['__pt_doe - (365 * __pt_yoe + intDiv(__pt_yoe, 4) - intDiv(__pt_yoe, 100))'],
            bind(['__pt_mp'], ['intDiv(5 * __pt_doy + 2, 153)'],
              `[__pt_yoe + __pt_era * 400 + if(__pt_mp >= 10, 1, 0), if(__pt_mp < 10, __pt_mp + 3, __pt_mp - 9), __pt_doy - intDiv(153 * __pt_mp + 2, 5) + 1]`))))));
}

/** A time's epoch milliseconds (Int64, exact: the Decimal holds milliseconds). */
const epochMs = (t: string) => `toInt64(${t} * 1000)`;
/** The day number of a time (a Decimal or a Float64 of epoch seconds: whole seconds are exact either way). */
const dayOf = (t: string) => `toInt64(floor(toFloat64(${t}) / 86400))`;

/** A time's month as months since year 0 (Int64), for any time. */
export function monthIndex(t: string): string {
  return bind(['__pt_ymd'], [civilFromDays(dayOf(t))], '__pt_ymd[1] * 12 + __pt_ymd[2] - 1');
}

/** The day number of the first day of the month `index` (months since year 0). */
function monthFirstDay(index: string): string {
  return bind(['__pt_mi'], [`toInt64(${index})`], daysFromCivil(floorDiv('__pt_mi', 12), `${floorMod('__pt_mi', 12)} + 1`, '1'));
}

/** The first instant (UTC) of the month `index` (months since year 0), as a time. */
export function monthStart(index: string): string {
  return `toDecimal64(${monthFirstDay(index)} * 86400, 3)`;
}

/** The time `n` months later by the calendar (the day clamped to the month's last), its time of day kept. */
export function addMonths(t: string, n: string): string {
  return bind(['__pt_ams'], [epochMs(t)],
    bind(['__pt_aday'], [floorDiv('__pt_ams', 86_400_000)],
      bind(['__pt_aymd'], [civilFromDays('__pt_aday')],
        bind(['__pt_ami'], [`__pt_aymd[1] * 12 + __pt_aymd[2] - 1 + toInt64(${n})`],
          `toDecimal64((${monthFirstDay('__pt_ami')} + least(__pt_aymd[3], ${monthFirstDay('__pt_ami + 1')} - ${monthFirstDay('__pt_ami')}) - 1) * 86400000 + (__pt_ams - __pt_aday * 86400000), 3) / 1000`))));
}

/** The start of the time's day (UTC) minus the days back to the last `weekday` (0 Sunday … 6), as a time. */
export function weekStart(t: string, weekday: number): string {
  return bind(['__pt_wd'], [dayOf(t)], `toDecimal64((__pt_wd - (${floorMod('__pt_wd + 4', 7)} - ${weekday} + 7) % 7) * 86400, 3)`);
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const names = (list: readonly string[], short: boolean) => `[${list.map((n) => `'${short ? n.slice(0, 3) : n}'`).join(', ')}]`;
/** Zero-padded to `width` digits (n ≥ 0). */
const pad = (n: string, width: number) => `concat(substring('000000000', 1, toUInt64(greatest(0, ${width} - toInt64(length(toString(${n})))))), toString(${n}))`;
const spaced = (n: string) => `concat(if(${n} < 10, ' ', ''), toString(${n}))`;

// Inside the format's lambda: __pt_ms (epoch ms), __pt_days, __pt_msod (ms of the day), __pt_ymd.
const Y = '__pt_ymd[1]';
const MONTH = '__pt_ymd[2]';
const DAY = '__pt_ymd[3]';
const HOUR = 'intDiv(__pt_msod, 3600000)';
const WEEKDAY = floorMod('__pt_days + 4', 7); // 1970-01-01 was a Thursday (Sunday 0)
const YDAY0 = `(__pt_days - ${daysFromCivil(Y, '1', '1')})`;
const MS = '(__pt_msod % 1000)';

/** What each variable prints, as DuckDB's strftime prints it (Splunk's names). */
const VARIABLES: Record<string, string> = {
  Y: pad(Y, 4),
  y: pad(floorMod(Y, 100), 2),
  m: pad(MONTH, 2),
  d: pad(DAY, 2),
  e: spaced(DAY),
  H: pad(HOUR, 2),
  k: spaced(HOUR),
  I: pad(`(${HOUR} + 11) % 12 + 1`, 2),
  p: `if(${HOUR} < 12, 'AM', 'PM')`,
  M: pad('intDiv(__pt_msod, 60000) % 60', 2),
  S: pad('intDiv(__pt_msod, 1000) % 60', 2),
  j: pad(`${YDAY0} + 1`, 3),
  b: `${names(MONTHS, true)}[${MONTH}]`,
  h: `${names(MONTHS, true)}[${MONTH}]`,
  B: `${names(MONTHS, false)}[${MONTH}]`,
  a: `${names(DAYS, true)}[${WEEKDAY} + 1]`,
  A: `${names(DAYS, false)}[${WEEKDAY} + 1]`,
  w: `toString(${WEEKDAY})`,
  u: `toString(if(${WEEKDAY} = 0, 7, ${WEEKDAY}))`,
  // Weeks of the year starting on Sunday (U) or Monday (W); days before the first are week 0.
  U: pad(`intDiv(${YDAY0} + 7 - ${WEEKDAY}, 7)`, 2),
  W: pad(`intDiv(${YDAY0} + 7 - (${WEEKDAY} + 6) % 7, 7)`, 2),
  s: `toString(${floorDiv('__pt_ms', 1000)})`,
  // Times hold milliseconds: finer digits are zeros, as DuckDB prints a time stored from milliseconds.
  '3N': pad(MS, 3),
  '6N': `concat(${pad(MS, 3)}, '000')`,
  f: `concat(${pad(MS, 3)}, '000')`,
  '9N': `concat(${pad(MS, 3)}, '000000')`,
};

export const CLICKHOUSE_TIME_VARIABLES: ReadonlySet<string> = new Set(Object.keys(VARIABLES));

/** A time (Decimal epoch seconds; NULL stays NULL) as text in the format's pieces. */
export function formatTime(t: string, pieces: readonly TimePiece[], param: (text: string) => string): string {
  const parts = pieces.map((p) => ('text' in p ? param(p.text) : VARIABLES[p.variable]!));
  const body = parts.length === 0 ? "''" : parts.length === 1 ? `toString(${parts[0]})` : `concat(${parts.join(', ')})`;
  // Through Nullable(Decimal): a NULL literal (`strftime(null(), …)`) has type Nothing, which arithmetic refuses.
  const ms = epochMs(`assumeNotNull(CAST(${t} AS Nullable(Decimal(18, 3))))`);
  const inner = bind(['__pt_days'], [floorDiv('__pt_ms', 86_400_000)],
    bind(['__pt_msod', '__pt_ymd'], ['__pt_ms - __pt_days * 86400000', civilFromDays('__pt_days')], body));
  return `if(isNull(${t}), NULL, ${bind(['__pt_ms'], [ms], inner)})`;
}
