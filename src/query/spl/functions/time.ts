import type { EvalFunction } from '../functions.js';
import { sqlTime } from '../time.js';
import { asTimestamp, formatTime, parseTimeText } from '../timefmt.js';
import type { Call } from './call.js';

const UNITS: [RegExp, string][] = [
  [/^(s|sec|secs|second|seconds)$/, 'second'],
  [/^(m|min|mins|minute|minutes)$/, 'minute'],
  [/^(h|hr|hrs|hour|hours)$/, 'hour'],
  [/^(d|day|days)$/, 'day'],
  [/^(w|week|weeks)$/, 'week'],
  [/^(mon|month|months)$/, 'month'],
  [/^(q|qtr|qtrs|quarter|quarters)$/, 'quarter'],
  [/^(y|yr|yrs|year|years)$/, 'year'],
];
const unit = (text: string) => UNITS.find(([re]) => re.test(text))?.[1];

/**
 * relative_time(<time>, "<modifier>"): Splunk's `[+|-]<n><unit>[@<snap>]` applied to a time: the
 * offset first, then rounding down to the start of the snap unit (`@w0`…`@w6`: that weekday, Sunday
 * 0). The modifier must be a literal: one that is not valid is refused rather than made NULL.
 */
function relativeTime(call: Call): string {
  const mod = call.literal(1, 'the time modifier');
  const m = /^(?:([+-])(\d*)([a-z]+))?(?:@([a-z]+)(\d)?)?$/.exec(mod.trim());
  if (!m || (!m[1] && !m[4])) throw call.ctx.error(`invalid time modifier '${mod}' (use -24h, -7d@d, @w0, +1mon@mon)`, call.args[1]!);
  let t = asTimestamp(call.sql(0));
  if (m[1]) {
    const u = unit(m[3]!);
    if (!u) throw call.ctx.error(`unknown time unit '${m[3]}' in '${mod}'`, call.args[1]!);
    const n = `${m[1] === '-' ? '-' : ''}${m[2] || '1'}`;
    t = `(${t} + CAST(${call.ctx.param(`${n} ${u}`)} AS INTERVAL))`;
  }
  if (m[4]) {
    const u = unit(m[4]);
    if (!u) throw call.ctx.error(`unknown snap unit '@${m[4]}' in '${mod}'`, call.args[1]!);
    if (m[5] !== undefined && u !== 'week') throw call.ctx.error(`'@${m[4]}${m[5]}': only weeks snap to a weekday`, call.args[1]!);
    if (u === 'week') {
      // @w and @w0: Sunday; @wN: the last weekday N at or before the time (@w7 is Sunday too).
      const day = Number(m[5] ?? 0) % 7;
      t = `(date_trunc('day', ${t}) - to_days(CAST((dayofweek(${t}) - ${day} + 7) % 7 AS INTEGER)))`;
    } else t = `date_trunc('${u}', ${t})`;
  }
  return t;
}

/**
 * Time functions. Times are TIMESTAMPs (UTC) in packettrail's SPL; where Splunk takes epoch seconds,
 * numbers are read as epoch seconds too. now() is the search's time (the one earliest=/latest= count
 * from), the same for every event.
 */
export const TIME_FUNCTIONS: Record<string, EvalFunction> = {
  now: { min: 0, max: 0, compile: (call) => `CAST(${call.ctx.param(sqlTime(call.ctx.now))} AS TIMESTAMP)` },
  // Splunk's time() is the wall clock when the event is processed; DuckDB gives one per statement.
  time: { min: 0, max: 0, compile: () => 'make_timestamp(epoch_us(current_timestamp))' },
  relative_time: { min: 2, max: 2, compile: relativeTime },
  strftime: { min: 2, max: 2, returns: 'text', compile: (call) => formatTime(call.ctx, asTimestamp(call.sql(0)), call.literal(1, 'the time format'), call.args[1]!) },
  strptime: { min: 2, max: 2, compile: (call) => parseTimeText(call.ctx, call.sql(0), call.literal(1, 'the time format'), call.args[1]!) },
};
