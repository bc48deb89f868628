import type { EcsEvent, EcsObject } from '../../ecs/event.js';
import { ECS_VERSION } from '../../ecs/event.js';
import { eventIdFor } from '../../ecs/event-id.js';
import { isoFromMillis } from '../../ecs/time.js';
import type { ParserContext } from '../format.js';

export interface Skeleton {
  dataset: string;
  module: string;
  /** The raw record: the event id is derived from it, and it is `event.original` when asked. */
  raw: string;
  ms: number;
  kind?: string;
  category: string[];
  type: string[];
  observer?: EcsObject;
}

/**
 * The fields every event starts with, written one way for every format: time, ECS version,
 * `event.*` bookkeeping (dataset, module, deterministic id, ingest time, original), observer and
 * the source it was read from.
 */
export function eventSkeleton(s: Skeleton, ctx: ParserContext): EcsEvent {
  return skeletonWithModule(s, s.module, ctx);
}

/** `eventSkeleton` with the module given apart (saves callers copying their skeleton object per event). */
export function skeletonWithModule(s: Omit<Skeleton, 'module'>, module: string, ctx: ParserContext): EcsEvent {
  const event: NonNullable<EcsEvent['event']> = {
    kind: s.kind ?? 'event',
    category: s.category,
    type: s.type,
    dataset: s.dataset,
    module,
    id: eventIdFor(s.dataset, s.raw),
    ingested: ctx.ingested,
  };
  if (ctx.original) event.original = s.raw;
  const out: EcsEvent = { '@timestamp': isoFromMillis(s.ms), ecs: { version: ECS_VERSION }, event };
  if (s.observer) out.observer = s.observer;
  out.log = { file: { path: ctx.source } };
  return out;
}
