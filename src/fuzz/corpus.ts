import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, inflateRawSync } from 'node:zlib';
import { getFormat, listFormats } from '../formats/registry.js';
import { buildScenario, WRITERS } from '../generate/generate.js';
import { Output } from '../generate/writers/output.js';
import { INLINE_SEEDS } from './inline-seeds.js';

/**
 * The seed records the fuzzer mutates, in groups as they are delivered (the header lines of a file
 * with the records they describe; a source name some formats read hints from): a small correlated
 * scenario from the generator (every format's real layout, no external data), records written in
 * inline-seeds.ts, and — when ../shared is present — the Elastic integration samples and the OTRF
 * Windows event datasets (read in place, never copied into the repository).
 */

export interface SeedGroup {
  format: string;
  /** Where the seeds come from: `generate:…`, `inline:…`, `elastic:…`, `otrf:…`. */
  origin: string;
  /** A path-like source name (relative; no `.gz`). */
  name: string;
  headers: string[];
  records: string[];
}

/** Records kept per generated file: the scenario's files are small, but a Defender hour holds hundreds. */
const RECORDS_PER_GROUP = 200;
/** Entries kept when a container (a CloudTrail Records file, a Defender batch) is also seeded whole. */
const CONTAINER_ENTRIES = 3;

/** Captures what the generator's writers render instead of writing files. */
class CapturingOutput extends Output {
  readonly groups = new Map<string, { source: string; header: string[]; lines: string[] }>();

  override add(source: string, path: string, line: string, header: string[] = []): void {
    let g = this.groups.get(path);
    if (!g) this.groups.set(path, (g = { source, header, lines: [] }));
    g.lines.push(line);
  }

  override flush(): void {}
}

/** A one-hour, five-user scenario: a few hundred records of every generated format in well under a second. */
export function generatedSeeds(seed = 'fuzz'): SeedGroup[] {
  const scenario = buildScenario({ seed, users: 5, hours: 1 });
  const out = new CapturingOutput('');
  for (const write of WRITERS) write(scenario, out);
  const groups: SeedGroup[] = [];
  for (const [path, g] of out.groups) {
    groups.push({ format: g.source, origin: `generate:${path}`, name: path.replace(/\.gz$/, ''), headers: g.header, records: splitContainers(g.lines).slice(0, RECORDS_PER_GROUP) });
  }
  return groups;
}

/**
 * CloudTrail `{"Records":[…]}` and Defender `{"records":[…]}` lines become their entries one per line
 * (both delivery forms exist), plus the container itself cut to a few entries.
 */
function splitContainers(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const key = line.startsWith('{"Records":[') ? 'Records' : line.startsWith('{"records":[') ? 'records' : undefined;
    if (!key) {
      out.push(line);
      continue;
    }
    const entries = (JSON.parse(line) as Record<string, unknown[]>)[key]!;
    for (const e of entries) out.push(JSON.stringify(e));
    out.push(JSON.stringify({ [key]: entries.slice(0, CONTAINER_ENTRIES) }));
  }
  return out;
}

export function inlineSeeds(): SeedGroup[] {
  return INLINE_SEEDS.map((g) => ({ format: g.format, origin: `inline:${g.name}`, name: g.name, headers: g.headers ?? [], records: g.records }));
}

/** Elastic integration sample folders (under testdata/elastic) and the format each holds. */
export const ELASTIC_SAMPLE_DIRS: readonly [string, string][] = [
  ['aws/cloudfront_logs', 'aws.cloudfront'], ['aws/cloudtrail', 'aws.cloudtrail'], ['aws/elb_logs', 'aws.alb'],
  ['aws/route53_resolver_logs', 'aws.route53resolver'], ['aws/s3access', 'aws.s3access'], ['aws/vpcflow', 'aws.vpcflow'], ['aws/waf', 'aws.waf'],
  ['cisco_umbrella/log', 'cisco.umbrella'], ['m365_defender/event', 'microsoft.defender'], ['panw/panos', 'panw.panos'],
  ['zscaler_zia/dns', 'zscaler.zia'], ['zscaler_zia/firewall', 'zscaler.zia'], ['zscaler_zia/web', 'zscaler.zia'],
];

/** The Elastic samples: one group per sample file; a pretty-printed JSON file becomes one compact record. */
export function elasticSeeds(sharedDir: string): SeedGroup[] {
  const groups: SeedGroup[] = [];
  for (const [dir, format] of ELASTIC_SAMPLE_DIRS) {
    const root = join(sharedDir, 'testdata/elastic', dir);
    const headerPattern = getFormat(format).headerPattern;
    for (const file of readdirSync(root).filter((f) => f.startsWith('test-') && !f.includes('expected') && !f.endsWith('.yml')).sort()) {
      const text = readFileSync(join(root, file), 'utf8');
      const document = compactDocument(text);
      const lines = document ? [document] : text.split(/\r?\n/).filter((l) => l.trim() !== '');
      const isHeader = (l: string) => (headerPattern ? new RegExp(headerPattern.source, headerPattern.flags.replace('g', '')).test(l) : false);
      groups.push({ format, origin: `elastic:${dir}/${file}`, name: `elastic/${dir}/${file}`, headers: lines.filter(isHeader), records: lines.filter((l) => !isHeader(l)) });
    }
  }
  return groups;
}

/** A pretty-printed JSON document (its first line is not a whole value) as one line, else undefined. */
function compactDocument(text: string): string | undefined {
  const first = text.trimStart().split('\n', 1)[0] ?? '';
  if (!first.startsWith('{') && !first.startsWith('[')) return undefined;
  try {
    JSON.parse(first);
    return undefined;
  } catch {
    try {
      return JSON.stringify(JSON.parse(text));
    } catch {
      return undefined;
    }
  }
}

/** Windows events read per OTRF dataset: the first part of each (the zips inflate to tens of MB). */
const OTRF_RECORDS = 150;
const OTRF_COMPRESSED_BYTES = 256 * 1024;

/** The OTRF datasets: each zip holds one JSON-lines file; its first records seed windows.event. */
export function otrfSeeds(sharedDir: string): SeedGroup[] {
  const root = join(sharedDir, 'testdata/otrf');
  const groups: SeedGroup[] = [];
  for (const file of readdirSync(root).filter((f) => f.endsWith('.zip')).sort()) {
    const entry = firstZipEntry(readFileSync(join(root, file)), OTRF_COMPRESSED_BYTES);
    if (!entry) continue;
    const lines = entry.text.split('\n');
    lines.pop(); // cut short: the last line is partial
    const records = lines.filter((l) => l.trim() !== '');
    const step = Math.max(1, Math.floor(records.length / OTRF_RECORDS));
    groups.push({ format: 'windows.event', origin: `otrf:${file}`, name: `otrf/${entry.name}`, headers: [], records: records.filter((_, i) => i % step === 0).slice(0, OTRF_RECORDS) });
  }
  return groups;
}

/**
 * The start of the first file in a zip archive (skipping macOS resource forks): the central directory
 * gives its offset; at most `compressedBytes` of its deflate stream are inflated.
 */
function firstZipEntry(zip: Buffer, compressedBytes: number): { name: string; text: string } | undefined {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) return undefined;
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(p + 10);
    const size = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const offset = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength);
    p += 46 + nameLength + extraLength + commentLength;
    if (name.startsWith('__MACOSX/') || name.endsWith('/')) continue;
    const start = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
    const data = zip.subarray(start, start + Math.min(size, compressedBytes));
    if (method === 0) return { name, text: data.toString('utf8') };
    if (method !== 8) continue;
    // A partial deflate stream: sync-flush yields what the given bytes decode to, without an error.
    return { name, text: inflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8') };
  }
  return undefined;
}

/** Every seed group, by format; the shared data only when `sharedDir` is given. */
export function loadCorpus(sharedDir?: string): Map<string, SeedGroup[]> {
  const all = [...generatedSeeds(), ...inlineSeeds(), ...(sharedDir ? [...elasticSeeds(sharedDir), ...otrfSeeds(sharedDir)] : [])];
  const byFormat = new Map<string, SeedGroup[]>(listFormats().map((f) => [f.id, []]));
  for (const g of all) if (g.records.length) byFormat.get(g.format)!.push(g);
  return byFormat;
}
