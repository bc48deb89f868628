/**
 * A strict reader of the Prometheus text format 0.0.4, for tests: it refuses what a Prometheus server
 * would (samples before their TYPE, a family split in two, a label set twice, bad escapes, bad names,
 * a missing final line feed) so a test that scrapes `/metrics` checks the format, not only the numbers.
 */

export interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  samples: { labels: Record<string, string>; value: number }[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function unescape(text: string, allowed: string, where: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = text[++i];
    if (n === 'n') out += '\n';
    else if (n !== undefined && allowed.includes(n)) out += n;
    else throw new Error(`${where}: bad escape \\${n ?? ''}`);
  }
  return out;
}

function parseLabels(text: string, where: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let s = text.slice(1);
  for (;;) {
    if (s.startsWith('}')) return { labels, rest: s.slice(1) };
    const name = LABEL.exec(s)?.[0];
    if (!name || name.startsWith('__')) throw new Error(`${where}: bad label name at '${s.slice(0, 20)}'`);
    if (name in labels) throw new Error(`${where}: label ${name} twice`);
    s = s.slice(name.length);
    if (!s.startsWith('="')) throw new Error(`${where}: expected =" after ${name}`);
    s = s.slice(2);
    let raw = '';
    let i = 0;
    for (; i < s.length && s[i] !== '"'; i++) {
      if (s[i] === '\\') raw += s[i++];
      raw += s[i] ?? '';
    }
    if (i >= s.length) throw new Error(`${where}: unterminated label value`);
    labels[name] = unescape(raw, '\\"', where);
    s = s.slice(i + 1);
    if (s.startsWith(',')) s = s.slice(1);
    else if (!s.startsWith('}')) throw new Error(`${where}: expected , or } after label ${name}`);
  }
}

function parseValue(text: string, where: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: bad value '${text}'`);
  return Number(text);
}

/** The families of an exposition, in order; throws naming the line of the first violation. */
export function parsePrometheusText(text: string): ParsedFamily[] {
  if (text.length && !text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const families: ParsedFamily[] = [];
  const done = new Set<string>();
  let current: ParsedFamily | undefined;
  const seen = new Set<string>();
  const lines = text.split('\n').slice(0, -1);
  lines.forEach((line, i) => {
    const where = `line ${i + 1}`;
    if (line === '') return;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!NAME.test(name) || NAME.exec(name)![0] !== name) throw new Error(`${where}: bad metric name ${name}`);
      if (current?.name !== name) {
        if (done.has(name)) throw new Error(`${where}: family ${name} appears twice`);
        if (current) done.add(current.name);
        current = { name, help: '', type: 'untyped', samples: [] };
        families.push(current);
        seen.clear();
      } else if (current.samples.length) throw new Error(`${where}: ${kind} of ${name} after its samples`);
      if (kind === 'HELP') current.help = unescape(rest, '\\', where);
      else {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`${where}: bad type ${rest}`);
        current.type = rest;
      }
      return;
    }
    if (line.startsWith('#')) return;
    const name = NAME.exec(line)?.[0];
    if (!name) throw new Error(`${where}: expected a metric name`);
    if (current?.name !== name) throw new Error(`${where}: sample of ${name} outside its family (TYPE first, one family per name)`);
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, where));
    const parts = rest.trim().split(/ +/);
    if (!rest.startsWith(' ') || parts.length < 1 || parts.length > 2) throw new Error(`${where}: expected ' value [timestamp]'`);
    const key = JSON.stringify(Object.entries(labels).sort());
    if (seen.has(key)) throw new Error(`${where}: ${name}${key} twice`);
    seen.add(key);
    current.samples.push({ labels, value: parseValue(parts[0]!, where) });
  });
  return families;
}

/** The value of one sample, or undefined: `valueOf(families, 'x_total', { input: 'a' })`. */
export function valueOf(families: ParsedFamily[], name: string, labels: Record<string, string> = {}): number | undefined {
  const f = families.find((x) => x.name === name);
  return f?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length)?.value;
}
