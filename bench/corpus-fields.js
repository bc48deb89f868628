// Corpus figure, not a timing: for every format with sample logs in ../shared/testdata/elastic (and
// windows.event: the OTRF Windows exports in ../shared/testdata/otrf, read with the unzip command), the
// share of records that normalize with no dropped field — read into an event (not rejected) and
// without the `_field_dropped` tag (src/formats/shared/field-errors.ts: an optional field that could
// not be read was left out of the event and named in packettrail.dropped_fields).
// Usage: npm run build && node bench/corpus-fields.js [--formats panw.panos,zscaler.zia] [--verbose]
//   --verbose lists each rejection reason and each dropped field with its file and line.
// Inputs: every *.log / *.json input under testdata/elastic/<package>/<data_stream>/ (not the
// expected outputs, sample_event.json or configs). A Filebeat-era `{"events":[{"message":…}]}` file
// contributes its messages. The S3 path a config names (Umbrella's log.file.path) is used as the
// source, and PAN-OS's _conf.tz_offset as --timezone, as Elastic's pipeline tests do.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg } from './lib.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = process.env.PACKETTRAIL_SHARED ?? resolve(ROOT, '..', 'shared');
const ELASTIC = join(SHARED, 'testdata', 'elastic');
const { processChunk } = await import(join(ROOT, 'dist', 'pipeline', 'chunk.js'));
const { getFormat } = await import(join(ROOT, 'dist', 'formats', 'registry.js'));

/** <package>/<data_stream> → packettrail format id. */
const STREAMS = {
  'panw/panos': 'panw.panos',
  'm365_defender/event': 'microsoft.defender',
  'zscaler_zia/web': 'zscaler.zia',
  'zscaler_zia/dns': 'zscaler.zia',
  'zscaler_zia/firewall': 'zscaler.zia',
  'cisco_umbrella/log': 'cisco.umbrella',
  'aws/cloudfront_logs': 'aws.cloudfront',
  'aws/waf': 'aws.waf',
  'aws/elb_logs': 'aws.alb',
  'aws/vpcflow': 'aws.vpcflow',
  'aws/cloudtrail': 'aws.cloudtrail',
  'aws/route53_resolver_logs': 'aws.route53resolver',
  'aws/s3access': 'aws.s3access',
};
const only = arg('formats', '').split(',').filter(Boolean);
const verbose = process.argv.includes('--verbose');
const TAG = '_field_dropped';

if (!existsSync(ELASTIC)) {
  console.error(`no test data at ${ELASTIC} (set PACKETTRAIL_SHARED)`);
  process.exit(1);
}

/** The `log.file.path` and `_conf.tz_offset` a pipeline-test config sets (a tiny YAML subset). */
function config(file) {
  const out = {};
  for (const name of [`${file}-config.yml`, join(dirname(file), 'test-common-config.yml')]) {
    if (!existsSync(name)) continue;
    const text = readFileSync(name, 'utf8');
    const path = /\n\s+path:\s*(\S+)/.exec(text);
    if (path && !out.source) out.source = path[1];
    const tz = /tz_offset:\s*"?([^"\n]+)"?/.exec(text);
    if (tz && !out.timezone) out.timezone = tz[1].trim();
  }
  return out;
}

function inputs(dir) {
  return readdirSync(dir)
    .filter((f) => /\.(log|json)$/.test(f) && !/expected|sample_event|config/.test(f))
    .map((f) => join(dir, f));
}

/** Lines of a file, or the messages of a Filebeat `{"events":[…]}` document. */
function records(file, text) {
  if (file.endsWith('.json')) {
    try {
      const doc = JSON.parse(text);
      if (Array.isArray(doc.events)) return { text: doc.events.map((e) => e.message).filter((m) => typeof m === 'string').join('\n'), document: false };
      return { text, document: true };
    } catch {
      /* JSON lines: read as lines */
    }
  }
  return { text: text.replace(/\n$/, ''), document: false };
}

const totals = new Map();

/** Normalizes one input as the pipeline does and adds its counts to the format's totals. */
function tally(formatId, source, rel, text, document, options) {
  const result = processChunk({ formatId, options, source, original: false, ingested: new Date().toISOString(), headers: [], text, firstLine: 1, document, output: 'events' });
  // A full result leaves the rest of the input to a task of its own (MAX_RESULT_RECORDS), as the pipeline does.
  if (result.rest) tally(formatId, source, rel, result.rest.text, document, options);
  const t = totals.get(formatId) ?? { records: 0, events: 0, rejected: 0, dropped: 0, fields: new Map() };
  const events = result.eventList ?? [];
  t.events += events.length;
  t.rejected += result.rejected;
  t.records += events.length + result.rejected;
  for (const e of events) {
    if (!Array.isArray(e.tags) || !e.tags.includes(TAG)) continue;
    t.dropped++;
    for (const f of e.packettrail?.dropped_fields ?? []) t.fields.set(f, (t.fields.get(f) ?? 0) + 1);
    if (verbose) console.log(`  dropped  ${rel}: ${(e.packettrail?.field_errors ?? []).join('; ')}`);
  }
  if (verbose) for (const d of result.deadLetters) console.log(`  rejected ${rel}:${d.line}: ${d.reason}`);
  totals.set(formatId, t);
}
for (const [stream, formatId] of Object.entries(STREAMS)) {
  if (only.length && !only.includes(formatId)) continue;
  const dir = join(ELASTIC, stream);
  if (!existsSync(dir) || !getFormat(formatId)) continue;
  for (const file of inputs(dir)) {
    const conf = config(file);
    const { text, document } = records(file, readFileSync(file, 'utf8'));
    tally(formatId, conf.source ?? file, file.slice(ELASTIC.length + 1), text, document, conf.timezone && formatId === 'panw.panos' ? { timezone: conf.timezone } : {});
  }
}

// Real Windows exports (OTRF, NXLog/Logstash JSON lines, one zip per dataset) for windows.event.
const OTRF = join(SHARED, 'testdata', 'otrf');
if ((!only.length || only.includes('windows.event')) && existsSync(OTRF) && getFormat('windows.event')) {
  const work = mkdtempSync(join(tmpdir(), 'pt-corpus-otrf-'));
  try {
    for (const zip of readdirSync(OTRF).filter((f) => f.endsWith('.zip')).sort()) {
      const dir = join(work, zip);
      execFileSync('unzip', ['-o', '-q', join(OTRF, zip), '-d', dir]);
      for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) tally('windows.event', join(dir, f), `otrf/${zip}`, readFileSync(join(dir, f), 'utf8').replace(/\n$/, ''), false, {});
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const pct = (n, d) => (d ? `${((100 * n) / d).toFixed(1)} %` : '–');
console.log('| format | records | rejected | events with a dropped field | clean (no dropped field) |');
console.log('|---|---|---|---|---|');
for (const [id, t] of totals) {
  const clean = t.events - t.dropped;
  console.log(`| ${id} | ${t.records} | ${t.rejected} | ${t.dropped} | ${clean} (${pct(clean, t.records)}) |`);
}
for (const [id, t] of totals) {
  if (t.fields.size) console.log(`${id}: dropped ${[...t.fields].map(([f, n]) => `${f} ×${n}`).join(', ')}`);
}
