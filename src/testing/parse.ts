import type { EcsEvent } from '../ecs/event.js';
import { processChunk, type ChunkTask, type RejectedRecord } from '../pipeline/chunk.js';

export interface Parsed {
  events: EcsEvent[];
  rejected: RejectedRecord[];
  skipped: Record<string, number>;
  records: number;
}

/** Parses text with one format exactly as the pipeline does (inline chunks, the rest of a full result after it), for tests. */
export function parseText(
  formatId: string,
  text: string,
  opts: { source?: string; options?: Record<string, string>; original?: boolean; document?: boolean } = {},
): Parsed {
  const task: ChunkTask = {
    formatId,
    options: opts.options ?? {},
    source: opts.source ?? 'test.log',
    original: opts.original ?? false,
    ingested: '2026-01-01T00:00:00.000Z',
    headers: [],
    text: text.replace(/\n$/, ''),
    firstLine: 1,
    document: opts.document ?? false,
    output: 'events',
  };
  const parsed: Parsed = { events: [], rejected: [], skipped: {}, records: 0 };
  for (let r = processChunk(task); ; r = processChunk({ ...task, ...r.rest })) {
    for (const e of r.eventList ?? []) parsed.events.push(e);
    for (const d of r.deadLetters) parsed.rejected.push(d);
    for (const [k, v] of Object.entries(r.skipped)) parsed.skipped[k] = (parsed.skipped[k] ?? 0) + v;
    parsed.records += r.records;
    if (!r.rest) return parsed;
  }
}
