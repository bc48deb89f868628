import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeadLetterWriter } from '../pipeline/dead-letter.js';
import type { ChunkResult } from '../pipeline/chunk.js';
import { runPipeline, type EventSink } from '../pipeline/run.js';
import type { RunSummary, SourceStats } from '../pipeline/stats.js';
import { tempDir } from '../testing/tmp.js';
import { generate, LOGS_DIR, type GenerateOptions, type Manifest } from './generate.js';
import type { Incident } from './model.js';

export type Ev = Record<string, unknown>;

class Collect implements EventSink {
  readonly output = 'ndjson' as const;
  readonly events: Ev[] = [];
  async write(_s: SourceStats, r: ChunkResult): Promise<void> {
    for (const line of r.text.split('\n')) if (line) this.events.push(JSON.parse(line) as Ev);
  }
  async endSource(): Promise<void> {}
}

export interface Parsed {
  dir: string;
  manifest: Manifest;
  incidents: Incident[];
  summary: RunSummary;
  events: Ev[];
  dead: string;
}

/** Generates a scenario and parses it exactly as `normalize --format auto` does, in-process. */
export async function generateAndParse(o: Omit<GenerateOptions, 'out'>): Promise<Parsed> {
  const dir = tempDir('packettrail-gen-');
  const manifest = await generate({ ...o, out: dir });
  const deadPath = join(dir, 'dead.ndjson');
  const deadLetters = new DeadLetterWriter(deadPath);
  const sink = new Collect();
  const summary = await runPipeline({ inputs: [join(dir, LOGS_DIR)], format: 'auto', threads: 0, sink, deadLetters });
  await deadLetters.close();
  let dead = '';
  try {
    dead = readFileSync(deadPath, 'utf8');
  } catch {
    /* nothing rejected, no file */
  }
  const incidents = (JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as { incidents: Incident[] }).incidents;
  return { dir, manifest, incidents, summary, events: sink.events, dead };
}

export function get(e: Ev, path: string): unknown {
  let cur: unknown = e;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

export function ofDataset(events: Ev[], dataset: string): Ev[] {
  return events.filter((e) => get(e, 'event.dataset') === dataset);
}
