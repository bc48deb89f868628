import type { EcsEvent } from '../ecs/event.js';
import { processChunk, type RejectedRecord } from '../pipeline/chunk.js';

export interface Parsed {
  events: EcsEvent[];
  rejected: RejectedRecord[];
  skipped: Record<string, number>;
  records: number;
}

/** Parses text with one format exactly as the pipeline does (one inline chunk), for tests. */
export function parseText(
  formatId: string,
  text: string,
  opts: { source?: string; options?: Record<string, string>; original?: boolean; document?: boolean } = {},
): Parsed {
  const r = processChunk({
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
  });
  return { events: r.eventList ?? [], rejected: r.deadLetters, skipped: r.skipped, records: r.records };
}
