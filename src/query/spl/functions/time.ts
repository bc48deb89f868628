import type { EvalFunction } from '../functions.js';
import { formatTime, parseTimeText } from '../timefmt.js';
import type { Call } from './call.js';
import type { TimeUnit } from '../../../store/spl-functions.js';

const UNITS: [RegExp, TimeUnit][] = [
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
  const fn = call.ctx.fn;
  let t = fn.asTime(call.sql(0));
  if (m[1]) {
    const u = unit(m[3]!);
    if (!u) throw call.ctx.error(`unknown time unit '${m[3]}' in '${mod}'`, call.args[1]!);
    const n = Number(`${m[1] === '-' ? '-' : ''}${m[2] || '1'}`);
    if (!Number.isSafeInteger(n)) throw call.ctx.error(`the offset in '${mod}' is too large`, call.args[1]!);
    t = fn.timeShift(t, n, u, (v) => call.ctx.param(v));
  }
  if (m[4]) {
    const u = unit(m[4]);
    if (!u) throw call.ctx.error(`unknown snap unit '@${m[4]}' in '${mod}'`, call.args[1]!);
    if (m[5] !== undefined && u !== 'week') throw call.ctx.error(`'@${m[4]}${m[5]}': only weeks snap to a weekday`, call.args[1]!);
    // @w and @w0: Sunday; @wN: the last weekday N at or before the time (@w7 is Sunday too).
    t = fn.timeSnap(t, u, Number(m[5] ?? 0) % 7);
  }
  return t;
}

/**
 * Time functions. Times are TIMESTAMPs (UTC) in packettrail's SPL; where Splunk takes epoch seconds,
 * numbers are read as epoch seconds too. now() is the search's time (the one earliest=/latest= count
 * from), the same for every event.
 */
export const TIME_FUNCTIONS: Record<string, EvalFunction> = {
  now: { min: 0, max: 0, compile: (call) => call.ctx.paramWith((params, name) => call.ctx.fn.timeParam(params, name, call.ctx.now.getTime())) },
  // Splunk's time() is the wall clock when the event is processed; DuckDB gives one per statement.
  time: { min: 0, max: 0, compile: () => 'make_timestamp(epoch_us(current_timestamp))' },
  relative_time: { min: 2, max: 2, compile: relativeTime },
  strftime: { min: 2, max: 2, returns: 'text', compile: (call) => formatTime(call.ctx, call.ctx.fn.asTime(call.sql(0)), call.literal(1, 'the time format'), call.args[1]!) },
  strptime: { min: 2, max: 2, compile: (call) => parseTimeText(call.ctx, call.sql(0), call.literal(1, 'the time format'), call.args[1]!) },
};
