// Floors: what the output document alone costs on this machine, against issues 3 and 4's targets.
// For VPC flow logs, PAN-OS TRAFFIC and Defender streaming records, generates input with the format's
// own benchmark generator, parses it once (not timed), then times only the work no parser can skip
// while it emits the same NDJSON:
//   - the NDJSON line: JSON.stringify of the event as packettrail emits it, UTF-8 encoded into an
//     output buffer with its line feed (the same two calls `processChunk` makes);
//   - the event id: SHA-256 of the record (`eventIdFor`), which makes re-ingestion store a record once;
//   - VPC flow logs: the Community ID (SHA-1 by its specification) of `network.community_id`;
//   - reading the fields: JSON.parse of a Defender record; String.split on the delimiter for VPC flow
//     logs (space) and PAN-OS (comma: a lower bound, since PAN-OS values may be quoted).
// VPC flow logs are also timed with the cheapest serializer found: a string template of the default
// version-2 event (bench-only), used for every event whose template output equals JSON.stringify's.
// Both cores run the loop at once (one worker thread each, started together, each over the same
// records), then one thread alone. What two threads reach doing only this, no parser emitting this
// document can pass at that moment on this machine and Node: reading, validating and mapping come on top.
// Right after, `packettrail normalize --threads 2` runs over the same file, so the floor and the real
// figure are taken together: this machine's speed drifts by up to 1.8× within a day, and only the
// ratio of the two carries over to another moment.
// Usage: npm run build && node bench/floors.js [--records 300000] [--passes 3] [--formats aws.vpcflow,panw.panos,microsoft.defender]
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg } from './lib.js';

const TARGETS = {
  'aws.vpcflow': { issue: 3, target: 200_000, unit: 'lines/s' },
  'panw.panos': { issue: 4, target: 150_000, unit: 'lines/s' },
  'microsoft.defender': { issue: 4, target: 80_000, unit: 'events/s' },
};

async function generate(format, records, out) {
  if (format === 'aws.vpcflow') return (await import('./vpcflow.js')).generateVpcFlow({ lines: records, out });
  if (format === 'panw.panos') return (await import('./panos.js')).generatePanosTraffic({ lines: records, out });
  return (await import('./defender.js')).generateDefender({ records, out });
}

/** A JSON string literal; the plain-ASCII case without JSON.stringify's call. */
function str(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || c > 126) return JSON.stringify(s);
  }
  return `"${s}"`;
}

/** The default version-2 VPC flow event as one template; callers check it against JSON.stringify. */
function vpcTemplate(e) {
  const v = e.event, so = e.source, d = e.destination, n = e.network, a = e.aws?.vpcflow;
  if (!so || !d || !n || !a || !e.related) return undefined;
  const cid = n.community_id === undefined ? '' : `,"community_id":${str(n.community_id)}`;
  const transport = n.transport === undefined ? '' : `,"transport":${str(n.transport)}`;
  return `{"@timestamp":${str(e['@timestamp'])},"ecs":{"version":${str(e.ecs.version)}},"event":{"kind":"event","category":["network"],"type":["connection",${str(v.type[1] ?? '')}],"dataset":"aws.vpcflow","module":"aws","id":${str(v.id)},"ingested":${str(v.ingested)},"outcome":${str(v.outcome)},"action":${str(v.action ?? '')},"start":${str(v.start ?? '')},"end":${str(v.end ?? '')}},"cloud":{"provider":"aws","service":{"name":"vpc"},"account":{"id":${str(e.cloud.account?.id ?? '')}}},"observer":{"vendor":"AWS","product":"VPC Flow Logs","type":"flow-log","ingress":{"interface":{"name":${str(e.observer.ingress?.interface?.name ?? '')}}}},"log":{"file":{"path":${str(e.log.file.path)}}},"source":{"address":${str(so.address)},"ip":${str(so.ip)},"port":${so.port},"bytes":${so.bytes},"packets":${so.packets}},"destination":{"address":${str(d.address)},"ip":${str(d.ip)},"port":${d.port}},"network":{"iana_number":${str(n.iana_number)}${transport},"type":${str(n.type)},"bytes":${n.bytes},"packets":${n.packets}${cid}},"aws":{"vpcflow":{"version":${str(a.version)},"account_id":${str(a.account_id)},"interface_id":${str(a.interface_id)},"action":${str(a.action)},"log_status":${str(a.log_status)}}},"related":{"ip":[${e.related.ip.map(str).join(',')}]}}`;
}

/** At most this many records per floor thread: 300,000 Defender records are more than one string holds. */
const FLOOR_RECORDS = 150_000;

function firstRecords(bytes, n) {
  let end = -1;
  for (let i = 0; i < n; i++) {
    const nl = bytes.indexOf(10, end + 1);
    if (nl < 0) return bytes.toString('utf8');
    end = nl;
  }
  return bytes.toString('utf8', 0, end + 1);
}

/** Worker: parse the file once, wait for the start signal, run the floor loop, report milliseconds. */
async function worker({ format, file, passes, barrier, template }) {
  const { processChunk } = await import('../dist/pipeline/chunk.js');
  const { eventIdFor } = await import('../dist/ecs/event-id.js');
  const { communityId } = await import('../dist/formats/vpcflow/community-id.js');
  const text = firstRecords(readFileSync(file), FLOOR_RECORDS);
  const lines = text.split('\n').filter((l) => l.length > 0);
  const result = processChunk({
    formatId: format, options: {}, source: file, original: false, ingested: new Date().toISOString(),
    headers: [], text, firstLine: 1, document: false, output: 'events',
  });
  const events = result.eventList;
  if (events.length !== lines.length || result.rejected) throw new Error(`${format}: ${events.length} events from ${lines.length} lines, ${result.rejected} rejected`);
  const flows = events.map((e) => (e.network?.community_id ? [e.source.ip, e.destination.ip, Number(e.network.iana_number), e.source.port, e.destination.port] : undefined));
  // Per event: the template when it gives JSON.stringify's exact bytes, else undefined (stringify).
  const templated = events.map((e) => {
    if (!template) return undefined;
    const t = vpcTemplate(e);
    return t !== undefined && t === JSON.stringify(e) ? e : undefined;
  });
  const templateShare = templated.filter(Boolean).length / events.length;
  const out = Buffer.allocUnsafe(64 << 20);
  let sink = 0;
  const flag = new Int32Array(barrier);
  Atomics.add(flag, 1, 1);
  Atomics.wait(flag, 0, 0);
  const t0 = performance.now();
  for (let pass = 0; pass < passes; pass++) {
    let offset = 0;
    for (let i = 0; i < events.length; i++) {
      const line = lines[i];
      if (format === 'microsoft.defender') sink += JSON.parse(line).time.length;
      else sink += line.split(format === 'panw.panos' ? ',' : ' ').length;
      sink += eventIdFor(format, line).length;
      const flow = flows[i];
      if (flow) sink += communityId(flow[0], flow[1], flow[2], flow[3], flow[4]).length;
      const json = templated[i] ? vpcTemplate(templated[i]) : JSON.stringify(events[i]);
      if (offset + json.length * 3 + 1 > out.length) offset = 0;
      offset += out.write(json, offset, 'utf8');
      out[offset++] = 0x0a;
    }
    sink += offset;
  }
  parentPort.postMessage({ ms: performance.now() - t0, records: events.length * passes, bytes: Buffer.byteLength(JSON.stringify(events[0])), templateShare, sink });
}

async function runThreads(format, file, passes, threads, template = false) {
  const barrier = new SharedArrayBuffer(8);
  const flag = new Int32Array(barrier);
  const results = Array.from({ length: threads }, () => {
    const w = new Worker(fileURLToPath(import.meta.url), { workerData: { format, file, passes, barrier, template }, resourceLimits: { maxYoungGenerationSizeMb: 64, maxOldGenerationSizeMb: 8192 } });
    return new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
  });
  // Start the timed loops together, once every worker has parsed its input.
  while (Atomics.load(flag, 1) < threads) await new Promise((r) => setTimeout(r, 20));
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  const done = await Promise.all(results);
  const wallMs = Math.max(...done.map((d) => d.ms));
  const records = done.reduce((s, d) => s + d.records, 0);
  return { rate: (records / wallMs) * 1000, usPerRecord: (done.reduce((s, d) => s + d.ms, 0) * 1000) / records, bytes: done[0].bytes, templateShare: done[0].templateShare };
}

/** The real thing, spawned as a user runs it, output to /dev/null (the floors do not write either). */
function normalizeRate(format, file, records) {
  const cliPath = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
  const t0 = performance.now();
  const run = spawnSync(process.execPath, [cliPath, 'normalize', '--quiet', '--threads', '2', '--format', format, file], { stdio: ['ignore', 'ignore', 'inherit'] });
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, rate: records / seconds, status: run.status };
}

async function main() {
  const records = Number(arg('records', '300000'));
  const passes = Number(arg('passes', '3'));
  const formats = arg('formats', Object.keys(TARGETS).join(',')).split(',');
  const dir = mkdtempSync(join(tmpdir(), 'packettrail-floors-'));
  console.log(`Machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim()}), Node ${process.version}; ${records.toLocaleString('en')} records (the floor loops: the first ${Math.min(records, FLOOR_RECORDS).toLocaleString('en')}, ${passes} passes per thread)`);
  try {
    for (const format of formats) {
      const goal = TARGETS[format];
      if (!goal) throw new Error(`no target for ${format}; known: ${Object.keys(TARGETS).join(', ')}`);
      const file = join(dir, `${format}.log`);
      await generate(format, records, file);
      const cli = normalizeRate(format, file, records);
      console.log(`${format}: packettrail normalize --threads 2 over the same ${records.toLocaleString('en')} records: ${cli.seconds.toFixed(2)} s = ${Math.round(cli.rate).toLocaleString('en')} ${goal.unit} (exit ${cli.status})`);
      for (const template of format === 'aws.vpcflow' ? [false, true] : [false]) {
        const two = await runThreads(format, file, passes, 2, template);
        const one = await runThreads(format, file, passes, 1, template);
        const verdict = two.rate < goal.target ? 'the floor is below the target at this moment' : 'the floor is above the target';
        const serializer = template ? `template for ${(two.templateShare * 100).toFixed(1)} % of events` : 'JSON.stringify';
        console.log(
          `  floor / normalize = ${(two.rate / cli.rate).toFixed(2)}; ` +
          `${format} (issue ${goal.issue}, ${two.bytes.toLocaleString('en')}-byte NDJSON line, ${serializer}): floor work ${one.usPerRecord.toFixed(2)} µs per record on one thread = ` +
            `${Math.round(one.rate).toLocaleString('en')} ${goal.unit}; two threads at once ${two.usPerRecord.toFixed(2)} µs each = ` +
            `${Math.round(two.rate).toLocaleString('en')} ${goal.unit} (${(two.rate / one.rate).toFixed(2)}×), target ${goal.target.toLocaleString('en')}: ${verdict}`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

if (isMainThread) {
  if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
} else {
  await worker(workerData);
}
