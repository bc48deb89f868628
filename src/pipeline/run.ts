import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { Format } from '../formats/format.js';
import { detectFormat, getFormat } from '../formats/registry.js';
import { isEnvelopeDocument, unwrapSample } from '../formats/envelopes/index.js';
import { expandInputs, type ExpandedInputs, type InputFile } from '../sources/inputs.js';
import { DEFAULT_MAX_LINE_CHARS, openBytes, SourceError, type TextChunk } from '../sources/text-reader.js';
import { openSourceChunks } from '../sources/source-chunks.js';
import type { ByteSource } from '../sources/byte-source.js';
import { isS3Url } from '../sources/s3-url.js';
import type { S3Options } from '../sources/s3.js';
import { deadLetter, updateHeaders, type ChunkOutput, type ChunkRest, type ChunkResult, type ChunkTask, type RejectedRecord } from './chunk.js';
import { ChunkPool } from './pool.js';
import type { DeadLetterWriter } from './dead-letter.js';
import type { RunSummary, SourceStats } from './stats.js';
import type { DetectionSpec } from '../detect/spec.js';
import { interruption, OutputError, RunInterrupted, RunStopped, type StopCause } from './output.js';
import { looksLikeDocument } from './framing.js';

export type { ByteSource } from '../sources/byte-source.js';

/** Where parsed chunks go: stdout as NDJSON, a store, a detector… */
export interface EventSink {
  readonly output: ChunkOutput;
  write(source: SourceStats, result: ChunkResult): Promise<void>;
  /**
   * Called once a source is fully read, or when the run stops in it; a storing sink fills
   * `stored`/`duplicates` here, from what it actually stored. A sink that cannot write throws an
   * OutputError (from here or `write`): the run stops.
   */
  endSource(source: SourceStats): Promise<void>;
}

export interface ProgressReporter {
  start(totalBytes: number, files: number): void;
  update(doneBytes: number, events: number, source: string): void;
  stop(): void;
}

export interface RunOptions {
  inputs: string[];
  /** A format id or `auto`. */
  format: string;
  formatOptions?: Record<string, string>;
  original?: boolean;
  /** Parser threads; 0 parses on the main thread. Small inputs always parse inline. */
  threads: number;
  sink: EventSink;
  deadLetters: DeadLetterWriter;
  progress?: ProgressReporter | undefined;
  chunkChars?: number;
  /** Detection the workers run on every event; matches come back in ChunkResult.matches. */
  detection?: DetectionSpec | undefined;
  /** A line longer than this is dead-lettered instead of buffered (default 64 Mi characters). */
  maxLineChars?: number;
  /** How to reach S3 for `s3://bucket/prefix` inputs (default: the AWS SDK's chain). */
  s3?: S3Options | undefined;
  /** Where relative inputs are (default: this process's working directory); they keep their spelling in the summary. */
  cwd?: string | undefined;
  /** What `-` reads (default: this process's standard input). */
  stdin?: (() => Readable) | undefined;
  /**
   * Aborting it stops the run (Ctrl-C) as a failed write does: within a chunk, what is staged is
   * stored, and `summary.stopped` says so (`interrupted`). Its reason should be a RunInterrupted.
   */
  signal?: AbortSignal | undefined;
  /** The local inputs already expanded (the caller checked them before creating anything): not expanded again. */
  expanded?: ExpandedInputs | undefined;
}

/** What reading one source needs from the run's options. */
export type SourceOptions = Pick<RunOptions, 'format' | 'formatOptions' | 'original' | 'sink' | 'deadLetters' | 'chunkChars' | 'detection' | 'maxLineChars' | 'signal'>;

export function fileSource(file: InputFile, cwd?: string, stdin?: () => Readable): ByteSource {
  const path = cwd === undefined || file.path === '-' ? file.path : resolve(cwd, file.path);
  return { name: file.path === '-' ? 'stdin' : file.path, size: file.size, path, open: () => (path === '-' && stdin ? stdin() : openBytes(path)) };
}

const SAMPLE_LINES = 20;
const SAMPLE_CHARS = 64 * 1024;
const INLINE_BELOW_BYTES = 4 << 20;
/** Dead letters written at once when a whole chunk is rejected. */
const DEAD_LETTER_BATCH = 4096;
const MAX_DOCUMENT_CHARS = 256 << 20;

/**
 * The ingest orchestrator: expands inputs, recognizes each source's format, cuts it into chunks,
 * parses them on the pool and hands results to the sink in input order. Within a source, chunks
 * parse in parallel; with parser threads, the next sources are read and parsed while the current
 * one finishes (see runSource's `turn`).
 *
 * When something cannot be written (OutputError from the sink or the dead letters), the run stops
 * reading: the summary holds the sources done so far, the one it stopped in (`incomplete`, with
 * what was stored of it) and `stopped` says why and how many sources were not read.
 */
export async function runPipeline(opts: RunOptions): Promise<RunSummary> {
  const started = performance.now();
  const { files, missing } = opts.expanded ?? (await expandInputs(opts.inputs.filter((a) => !isS3Url(a)), opts.cwd));
  const sources = files.map((f) => fileSource(f, opts.cwd, opts.stdin));
  const s3Args = opts.inputs.filter(isS3Url);
  if (s3Args.length) {
    // The AWS SDK takes a quarter of a second to load: only when S3 is read.
    const { listS3Sources } = await import('../sources/s3.js');
    const listed = await listS3Sources(s3Args, opts.s3 ?? {});
    sources.push(...listed.sources);
    missing.push(...listed.missing);
  }
  const totalBytes = sources.reduce((a, f) => a + f.size, 0);
  const useWorkers = opts.threads > 0 && (totalBytes >= INLINE_BELOW_BYTES || files.some((f) => f.path === '-'));
  const pool = new ChunkPool(useWorkers ? opts.threads : 0);
  const ingested = new Date().toISOString();
  const summary: RunSummary = { sources: [], missing, seconds: 0, deadLetterPath: opts.deadLetters.path, deadLetters: 0 };
  let doneBytes = 0;
  let events = 0;
  // Many small sources (200 CloudTrail objects of one document each) left a parser thread idle
  // while the other parsed and the main thread waited: up to `pool.size` sources now read ahead.
  const lookahead = pool.size;
  const open: { src: ByteSource; done: Promise<SourceStats> }[] = [];
  const finishOldest = async () => {
    const { src, done } = open.shift()!;
    const stats = await done;
    doneBytes += src.size;
    events += stats.events;
    summary.sources.push(stats);
  };
  try {
    for (const m of missing) await opts.deadLetters.write(m.arg, 'unknown', [{ line: 0, reason: m.reason, record: '' }]);
    opts.progress?.start(totalBytes, sources.length);
    for (const src of sources) {
      // Interrupted: no new source starts; those running stop at their next chunk.
      if (opts.signal?.aborted) break;
      while (open.length > lookahead) await finishOldest();
      const turn = open.length ? open[open.length - 1]!.done : undefined;
      const done = runSource(src, opts, pool, ingested, (bytes, ev) => {
        opts.progress?.update(doneBytes + bytes, events + ev, src.path ?? src.name);
      }, turn);
      // Awaited in order by finishOldest; this only keeps a source failing after an earlier failure
      // (whose error is the one thrown) from being reported as an unhandled rejection.
      done.catch(() => {});
      open.push({ src, done });
    }
    while (open.length) await finishOldest();
    if (opts.signal?.aborted) throw interruption(opts.signal);
  } catch (e) {
    // The sources read ahead stop at their turn (they get the same RunStopped) and are not reported.
    if (e instanceof RunStopped) summary.sources.push(e.stats);
    else if (!(e instanceof OutputError || e instanceof RunInterrupted)) throw e;
    const cause = e instanceof RunStopped ? e.output : e;
    summary.stopped = {
      reason: cause.message, unread: sources.length - summary.sources.length,
      ...(cause instanceof RunInterrupted ? { interrupted: cause.signal } : {}),
    };
  } finally {
    opts.progress?.stop();
    await pool.close();
  }
  summary.deadLetters = opts.deadLetters.count;
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

/**
 * Reads one source: recognizes its format, cuts it into chunks, parses them on the pool and hands
 * results to the sink in order, then ends the source on the sink (which stores what is left).
 * With `turn` (the previous source's run), the source is read and parsed at once but writes nothing
 * (sink, dead letters, endSource) before that run has finished: outputs keep the input order.
 */
export async function runSource(
  src: ByteSource,
  opts: SourceOptions,
  pool: ChunkPool,
  ingested: string,
  progress: (bytes: number, events: number) => void = () => {},
  turn?: Promise<unknown>,
): Promise<SourceStats> {
  const formatId = src.format ?? opts.format;
  const fixed: Format | undefined = formatId === 'auto' ? undefined : getFormat(formatId);
  const stats: SourceStats = { source: src.name, format: fixed?.id ?? 'unknown', bytes: src.size, records: 0, events: 0, rejected: 0, skipped: {}, errors: [], warnings: [] };
  try {
    return await readSource(src, opts, pool, ingested, progress, turn, fixed, stats);
  } catch (e) {
    if (!(e instanceof OutputError || e instanceof RunInterrupted)) throw e;
    // Parse results still in flight are dropped; what was staged is stored (unless the store is
    // what failed) so that the counts say what the store holds. An interruption reaches here at
    // the source's turn only (readSource waits for it): the sink holds this source's rows.
    try {
      await opts.sink.endSource(stats);
    } catch (again) {
      if (again !== e) stats.errors.push((again as Error).message);
    }
    throw stopped(stats, e);
  }
}

function stopped(stats: SourceStats, e: StopCause): RunStopped {
  stats.incomplete = true;
  // An interruption is no fault of the source: a note, not a source error.
  if (e instanceof RunInterrupted) stats.warnings.push(`${e.message}: read in part`);
  else stats.errors.push(`stopped: ${e.message}`);
  return new RunStopped(stats, e);
}

/** runSource's reading; an OutputError leaves it with the source's sink not yet ended. */
async function readSource(
  src: ByteSource,
  opts: SourceOptions,
  pool: ChunkPool,
  ingested: string,
  progress: (bytes: number, events: number) => void,
  turn: Promise<unknown> | undefined,
  fixed: Format | undefined,
  stats: SourceStats,
): Promise<SourceStats> {
  const source = src.name;
  const lineOffset = src.lineOffset ?? 0;
  const myTurn = async () => {
    if (turn) {
      await turn;
      turn = undefined;
    }
  };
  const fail = async (reason: string, line: number) => {
    stats.errors.push(line ? `${reason} (after line ${line})` : reason);
    await myTurn();
    await opts.deadLetters.write(source, stats.format, [{ line, reason, record: '' }]);
  };
  let chunks: AsyncGenerator<TextChunk>;
  try {
    chunks = await openSourceChunks(src, { chunkChars: opts.chunkChars, maxLineChars: opts.maxLineChars });
  } catch (e) {
    await fail(`cannot open: ${(e as Error).message}`, 0);
    return stats;
  }

  const inFlight: Promise<ChunkResult>[] = [];
  const maxInFlight = Math.max(2, pool.size * 2 + 1);
  // A chunk counts as read once its dead letters are written: if they cannot be, the run stops
  // and the summary does not count records that went nowhere.
  const deliverPart = async (result: ChunkResult) => {
    await myTurn();
    await opts.deadLetters.write(source, stats.format, result.deadLetters);
    stats.records += result.records;
    stats.events += result.events;
    stats.rejected += result.rejected;
    if (result.fieldsDropped) stats.fieldsDropped = (stats.fieldsDropped ?? 0) + result.fieldsDropped;
    for (const [k, v] of Object.entries(result.skipped)) stats.skipped[k] = (stats.skipped[k] ?? 0) + v;
    if (result.events) await opts.sink.write(stats, result);
  };
  // A chunk whose records multiplied (a million tiny lines, envelopes) is parsed in parts
  // (ChunkResult.rest), each delivered before the next is parsed.
  const deliver = async (result: ChunkResult) => {
    await deliverPart(result);
    for (let rest = result.rest; rest; ) {
      const part = await pool.submit(restTask(rest));
      await deliverPart(part);
      rest = part.rest;
    }
  };
  const rejectAll = async (chunk: TextChunk, reason: string) => {
    const letters: RejectedRecord[] = [];
    chunk.text.split('\n').forEach((record, i) => {
      if (record.trim() !== '') letters.push({ line: chunk.firstLine + i, reason, record });
    });
    await myTurn();
    for (let i = 0; i < letters.length; i += DEAD_LETTER_BATCH) await opts.deadLetters.write(source, stats.format, letters.slice(i, i + DEAD_LETTER_BATCH));
    stats.records += letters.length;
    stats.rejected += letters.length;
  };

  let format = fixed;
  const restTask = (rest: ChunkRest): ChunkTask => ({
    formatId: format!.id, options: opts.formatOptions ?? {}, source, original: opts.original ?? false, ingested,
    document: false, output: opts.sink.output, detection: opts.detection, ...rest,
  });
  let unrecognized: string | undefined;
  let headers: string[] = [];
  let document: string[] | undefined;
  let documentChars = 0;
  let documentLine = 1;
  let lastBytes = 0;
  try {
    let first = true;
    for await (const chunk of interruptible(chunks, opts.signal)) {
      lastBytes = chunk.bytesRead;
      if (lineOffset) chunk.firstLine += lineOffset;
      if (first) {
        first = false;
        if (!format) {
          const lines = chunk.text.slice(0, SAMPLE_CHARS).split('\n').slice(0, SAMPLE_LINES);
          // Envelopes (CloudWatch Logs, Firehose) are detected by the records they carry.
          const sample = { name: src.path === '-' ? '' : source, lines: unwrapSample(lines, chunk.text) };
          const detection = detectFormat(sample);
          format = detection.format;
          if (!format) {
            const best = detection.candidates[0];
            unrecognized = `format not recognized${best ? ` (best guess ${best.id} at ${best.score.toFixed(2)}, below 0.5)` : ''}; name one with --format`;
            stats.errors.push(unrecognized);
          } else stats.format = format.id;
        }
        if ((format?.framing === 'json-or-lines' || isEnvelopeDocument(chunk.text)) && (looksLikeDocument(chunk.text) || format?.isDocument?.(chunk.text) === true)) {
          document = [];
          documentLine = chunk.firstLine;
        }
      }
      if (chunk.oversized) {
        await myTurn();
        const length = chunk.lineLength ?? chunk.text.length;
        const reason = `line longer than the ${opts.maxLineChars ?? DEFAULT_MAX_LINE_CHARS}-character limit (maxLineChars): ${length} characters; only its start is kept`;
        await opts.deadLetters.write(source, stats.format, [{ ...deadLetter(chunk.firstLine, reason, chunk.text), truncated: true, originalLength: length }]);
        stats.records++;
        stats.rejected++;
        continue;
      }
      if (unrecognized || !format) {
        await rejectAll(chunk, unrecognized ?? 'format not recognized');
        continue;
      }
      if (document) {
        documentChars += chunk.text.length;
        if (documentChars > MAX_DOCUMENT_CHARS) throw new SourceError(`JSON document larger than ${MAX_DOCUMENT_CHARS} characters`, chunk.firstLine);
        document.push(chunk.text);
        continue;
      }
      const task: ChunkTask = {
        formatId: format.id,
        options: opts.formatOptions ?? {},
        source,
        original: opts.original ?? false,
        ingested,
        headers,
        text: chunk.text,
        firstLine: chunk.firstLine,
        document: false,
        output: opts.sink.output,
        detection: opts.detection,
      };
      if (format.headerPattern) headers = updateHeaders(headers, chunk.text, format.headerPattern);
      inFlight.push(pool.submit(task));
      while (inFlight.length >= maxInFlight) {
        const result = await inFlight.shift()!;
        await deliver(result);
        progress(chunk.bytesRead, stats.events);
      }
    }
    if (document && format) {
      inFlight.push(
        pool.submit({
          formatId: format.id, options: opts.formatOptions ?? {}, source, original: opts.original ?? false, ingested,
          headers: [], text: document.join('\n'), firstLine: documentLine, document: true, output: opts.sink.output, detection: opts.detection,
        }),
      );
    }
  } catch (e) {
    // A failed write, or the run stopping in an earlier source, ends this one: not a read error.
    if (e instanceof OutputError || e instanceof RunStopped) throw e;
    if (e instanceof RunInterrupted) {
      // Stop at this source's turn: a source read ahead has nothing of its own in the sink before it.
      await myTurn();
      throw e;
    }
    for (const p of inFlight.splice(0)) await deliver(await p);
    if (e instanceof SourceError) await fail(e.message, e.afterLine ? e.afterLine + lineOffset : 0);
    else await fail(`read failed: ${(e as Error).message}`, 0);
  }
  for (const p of inFlight.splice(0)) await deliver(await p);
  progress(lastBytes, stats.events);
  if (stats.records === 0 && !stats.errors.length) stats.warnings.push('empty: no records');
  await myTurn();
  try {
    await opts.sink.endSource(stats);
  } catch (e) {
    // The sink has counted what it stored: it must not be ended a second time.
    if (e instanceof OutputError) throw stopped(stats, e);
    throw e;
  }
  return stats;
}

/**
 * A source's chunks, ending in RunInterrupted as soon as the signal aborts, even while a read waits
 * (stdin, a slow S3 object): the pending read is left to settle, then the source is closed.
 */
async function* interruptible<T>(source: AsyncGenerator<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
  if (!signal) return yield* source;
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(interruption(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {});
  try {
    for (;;) {
      const next = await Promise.race([source.next(), aborted]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    source.return(undefined).catch(() => {});
  }
}
