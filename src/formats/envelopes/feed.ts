import { getPath, setPath, type EcsEvent } from '../../ecs/event.js';
import type { ParseSink, RecordParser } from '../format.js';
import type { EnvelopeContext, Unwrapped } from './envelope.js';

/** Adds envelope context to an event, never overriding what the record itself said. */
export function applyContext(event: EcsEvent, context: EnvelopeContext): void {
  for (const path in context) {
    if (getPath(event, path) === undefined) setPath(event, path, context[path]!);
  }
}

/**
 * Hands an opened envelope's inner records to the format's parser, as the pipeline does with lines.
 * Rejections say where in the envelope the record was (`logEvents[3]: …`); `setCurrent` tells the
 * caller which text a rejection refers to (for the dead letter). Returns the number of records the
 * envelope held, so the caller counts records rather than envelope lines.
 */
export function feedEnvelope(u: Unwrapped, parser: RecordParser, lineNo: number, sink: ParseSink, setCurrent: (text: string) => void): number {
  if ('skip' in u) {
    sink.skip(u.skip);
    return 1;
  }
  if ('reject' in u) {
    sink.reject(u.reject);
    return 1;
  }
  for (const r of u.records) {
    if ('skip' in r) {
      sink.skip(r.skip);
      continue;
    }
    setCurrent(r.text);
    if ('error' in r) {
      sink.reject(`${r.where}: ${r.error}`);
      continue;
    }
    const { where, context } = r;
    const inner: ParseSink = {
      event(e) {
        applyContext(e, context);
        sink.event(e);
      },
      reject(reason) {
        sink.reject(`${where}: ${reason}`);
      },
      skip(kind) {
        sink.skip(kind);
      },
    };
    if (r.text.indexOf('\u0000') >= 0) {
      inner.reject('binary data (NUL bytes) where text records were expected');
      continue;
    }
    try {
      parser.line(r.text, lineNo, inner);
    } catch (e) {
      inner.reject(`parser failure: ${(e as Error).message}`);
    }
  }
  return Math.max(1, u.records.length);
}
