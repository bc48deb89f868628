import type { DetectSample, Format } from './format.js';
import { FORMATS } from './catalog.js';

const byId = new Map(FORMATS.map((f) => [f.id, f]));

export function listFormats(): readonly Format[] {
  return FORMATS;
}

export function getFormat(id: string): Format {
  const f = byId.get(id);
  if (!f) throw new Error(`unknown format '${id}' (known: ${[...byId.keys()].join(', ')}, auto)`);
  return f;
}

export interface Detection {
  format: Format | undefined;
  score: number;
  /** The runner-up, to explain ambiguous or failed detections. */
  candidates: { id: string; score: number }[];
}

/** Picks the format most confident about a sample; below 0.5 nothing is chosen. */
export function detectFormat(sample: DetectSample): Detection {
  const scored = FORMATS.map((f) => {
    let score = 0;
    try {
      score = f.detect(sample);
    } catch {
      score = 0;
    }
    return { format: f, score };
  }).sort((a, b) => b.score - a.score);
  const best = scored[0];
  return {
    format: best && best.score >= 0.5 ? best.format : undefined,
    score: best?.score ?? 0,
    candidates: scored.filter((s) => s.score > 0).map((s) => ({ id: s.format.id, score: s.score })),
  };
}
