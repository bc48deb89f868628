import { gzipSync } from 'node:zlib';
import { getFormat } from '../formats/registry.js';
import type { Rng } from '../generate/random.js';
import type { CaseConfig } from './child.js';
import type { SeedGroup } from './corpus.js';
import { mutateRecord, type MutationContext } from './mutate.js';
import { ENVELOPE_KINDS, envelopeBombLine, envelopeCapacity, envelopeLine, gzipBomb, MAX_RECORDS_PER_ENVELOPE, type EnvelopeKind, type GzipBomb } from './shapes.js';

/**
 * A batch is one fuzz case: hundreds of mutated records of one format written as one input, run once
 * through the pipeline in a child process. When it fails, the minimizer drops records and keeps the
 * rest of the batch (shape, options) as it was, so a batch must render the same from the same fields.
 */

export type FileShape = 'lines' | 'crlf-bom' | 'gzip' | 'gzip-truncated' | 'gzip-bomb' | 'document';

export interface CaseRecord {
  bytes: Buffer;
  /**
   * `plain`: one record per line; `header`: a header line of the seed file; `envelope`: a transport
   * envelope carrying `inner` records; `document`: a whole pretty-printed JSON file.
   */
  kind: 'plain' | 'header' | 'envelope' | 'document';
  inner?: number;
  origin: string;
  /** Mutations applied, in order (`envelope:` for the wrapping). */
  applied: string[];
}

export interface Batch {
  /** `<seed>/<case number>`: builds the same batch again. */
  id: string;
  /** The format the seeds belong to. */
  format: string;
  /** What the run is told: the format id, or `auto` (detection is fuzzed too). */
  runFormat: string;
  /** File name relative to the case directory; formats read hints from it. */
  name: string;
  shape: FileShape;
  bomb?: GzipBomb | undefined;
  /** gzip-truncated: the fraction of the compressed bytes kept. */
  keep?: number | undefined;
  records: CaseRecord[];
  /** stdin makes the pipeline parse on its worker threads. */
  via: 'file' | 'stdin';
  mode: CaseConfig['mode'];
  chunkChars?: number | undefined;
  maxLineChars?: number | undefined;
}

export interface BatchOptions {
  minRecords: number;
  maxRecords: number;
  /**
   * Share of cases run as `ingest` (DuckDB store and built-in rules), as `events` (field types checked)
   * and as the `packettrail normalize` CLI itself; the rest run `normalize` through runPipeline.
   */
  ingestShare: number;
  eventsShare: number;
  cliShare: number;
  /** Share of cases with a whole-file gzip bomb, and with an envelope bomb among envelope cases. */
  bombShare: number;
}

export const DEFAULT_BATCH: BatchOptions = { minRecords: 50, maxRecords: 300, ingestShare: 0.15, eventsShare: 0.3, cliShare: 0.1, bombShare: 0.03 };

/**
 * Whole-file bombs. A whole gzip file is deliberately not capped by packettrail (a log object of
 * several GB is legitimate; see src/util/bounded-inflate.ts): it streams with flat memory and takes
 * as long as reading that much text. So these are sized to prove flat memory, not to outlast the
 * case timeout: 512 MiB of NUL bytes is one line longer than a JavaScript string can be and than the
 * case's heap (buffered, it could only crash); 8 MiB of line feeds is 8 million blank lines, 250 times
 * what one parse result may hold (blank lines cost what lines cost: 32 MiB of them read from stdin
 * took 27 s on a loaded machine, a 1 GiB bomb minutes).
 */
const ZERO_BOMB: GzipBomb = { fill: 'zeros', inflatedMib: 512 };
const NEWLINE_BOMB: GzipBomb = { fill: 'newlines', inflatedMib: 8 };
/** Cases read from stdin: the pipeline then parses on worker threads, whose start costs a second of CPU. */
const STDIN_SHARE = 0.1;
/** A line limit below the 10 MB lines some cases write, so the oversized-line path runs too. */
const SMALL_LINE_LIMIT = 1 << 20;

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function buildBatch(rng: Rng, id: string, format: string, groups: readonly SeedGroup[], o: BatchOptions = DEFAULT_BATCH): Batch {
  const group = rng.pick(groups);
  const framing = getFormat(format).framing;
  const pick = () => (rng.chance(0.85) ? rng.pick(group.records) : rng.pick(rng.pick(groups).records));
  const m: MutationContext = { rng, heavyLeft: rng.chance(0.35) ? 1 : 0, other: () => Buffer.from(pick()) };
  const mutated = (text: string, p: number, origin: string): CaseRecord => {
    if (!rng.chance(p)) return { bytes: Buffer.from(text), kind: 'plain', origin, applied: [] };
    const { bytes, applied } = mutateRecord(Buffer.from(text), m);
    return { bytes, kind: 'plain', origin, applied };
  };
  const bomb = rng.chance(o.bombShare);
  let shape: FileShape = bomb
    ? 'gzip-bomb'
    : rng.weighted<FileShape>([['lines', 50], ['crlf-bom', 8], ['gzip', 12], ['gzip-truncated', 6], ['document', framing === 'json-or-lines' ? 10 : 0]]);
  const batch: Batch = {
    id, format, runFormat: rng.chance(0.1) ? 'auto' : format, name: group.name, shape, records: [],
    via: rng.chance(STDIN_SHARE) ? 'stdin' : 'file', mode: rng.weighted<Batch['mode']>([['ingest', o.ingestShare], ['events', o.eventsShare], ['cli', o.cliShare], ['normalize', 1 - o.ingestShare - o.eventsShare - o.cliShare]]),
    chunkChars: rng.weighted<number | undefined>([[undefined, 6], [64 * 1024, 2], [4096, 2]]),
    maxLineChars: rng.chance(0.1) ? SMALL_LINE_LIMIT : undefined,
  };
  // The CLI reads with its defaults.
  if (batch.mode === 'cli') batch.chunkChars = batch.maxLineChars = undefined;
  if (shape === 'gzip-bomb') batch.bomb = rng.chance(0.5) ? ZERO_BOMB : NEWLINE_BOMB;
  if (shape === 'gzip-truncated') batch.keep = 0.3 + rng.next() * 0.65;
  if (shape === 'document') {
    const seed = group.records.find((r) => r.startsWith('{') && isJson(r)) ?? group.records.find((r) => isJson(r));
    if (seed) {
      const doc = mutated(JSON.stringify(JSON.parse(seed), null, 2), 0.6, `${group.origin} (pretty-printed)`);
      batch.records.push({ ...doc, kind: 'document' });
      return batch;
    }
    batch.shape = shape = 'lines';
  }
  for (const h of group.headers) batch.records.push({ ...mutated(h, 0.1, `${group.origin} header`), kind: 'header' });
  const envelope: EnvelopeKind | undefined = rng.chance(0.2) ? rng.pick(ENVELOPE_KINDS) : undefined;
  const count = rng.int(o.minRecords, o.maxRecords);
  for (let i = 0; i < count; i++) {
    if (envelope) {
      const inner = Array.from({ length: envelopeCapacity(envelope, rng.int(1, MAX_RECORDS_PER_ENVELOPE)) }, () => mutated(pick(), 0.5, group.origin));
      let bytes = envelopeLine(envelope, inner.map((r) => r.bytes), rng);
      const applied = [`envelope:${envelope}`, ...inner.flatMap((r, k) => r.applied.map((a) => `[${k}] ${a}`))];
      if (rng.chance(0.15)) {
        const outer = mutateRecord(bytes, m);
        bytes = outer.bytes;
        applied.push(...outer.applied.map((a) => `envelope ${a}`));
      }
      batch.records.push({ bytes, kind: 'envelope', inner: inner.length, origin: group.origin, applied });
    } else batch.records.push(mutated(pick(), 0.6, group.origin));
    if (rng.chance(0.03)) batch.records.push({ ...batch.records[batch.records.length - 1]!, applied: [...batch.records[batch.records.length - 1]!.applied, 'duplicate'] });
    if (group.headers.length && rng.chance(0.01)) batch.records.push({ ...mutated(rng.pick(group.headers), 0.3, `${group.origin} header`), kind: 'header' });
  }
  if (envelope && rng.chance(o.bombShare * 3)) {
    batch.records.splice(rng.int(0, batch.records.length), 0, { bytes: envelopeBombLine(), kind: 'envelope', origin: 'envelope bomb', applied: ['envelope-bomb'] });
  }
  return batch;
}

export interface Rendered {
  /** The file as written (compressed when the shape says so). */
  bytes: Buffer;
  /** Lines the reader hands to the pipeline (undefined when the input is cut short: only those before the damage are read). */
  lines: number | undefined;
  /** Line number at which each record starts. */
  recordLine: number[];
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function newlines(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(0x0a); i >= 0; i = b.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** Lines as the text reader counts them: split on LF, one final LF ends the last line, an empty input has none. */
export function countLines(content: Buffer): number {
  if (!content.length) return 0;
  const ends = content[content.length - 1] === 0x0a;
  if (ends && content.length === 1) return 0;
  return newlines(content) + (ends ? 0 : 1);
}

export function renderBatch(b: Batch): Rendered {
  const separator = Buffer.from(b.shape === 'crlf-bom' ? '\r\n' : '\n');
  const parts: Buffer[] = [];
  const recordLine: number[] = [];
  let line = 1;
  for (const r of b.records) {
    recordLine.push(line);
    parts.push(r.bytes, separator);
    line += newlines(r.bytes) + 1;
  }
  const text = Buffer.concat(parts);
  const content = b.shape === 'crlf-bom' ? Buffer.concat([BOM, text]) : text;
  let bytes: Buffer = content;
  let lines: number | undefined = countLines(text);
  if (b.shape === 'gzip') bytes = gzipSync(content);
  else if (b.shape === 'gzip-truncated') {
    const gz = gzipSync(content);
    bytes = gz.subarray(0, Math.floor(gz.length * (b.keep ?? 0.5)));
    lines = undefined;
  } else if (b.shape === 'gzip-bomb') {
    bytes = gzipBomb(content, b.bomb!);
    lines = undefined;
  }
  return { bytes, lines, recordLine };
}
