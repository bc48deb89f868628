import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Collects rendered lines per delivered object and writes each once: gzip where the real delivery is
 * gzipped (the name ends `.gz`), plain otherwise. Scenario sources are small; the CloudFront bulk of
 * `--scale` streams through `writers/cloudfront-bulk.ts` instead.
 */
export class Output {
  private readonly files = new Map<string, { source: string; header: string[]; lines: string[] }>();
  readonly counts: Record<string, { files: number; lines: number }> = {};

  constructor(readonly root: string) {}

  add(source: string, path: string, line: string, header: string[] = []): void {
    let f = this.files.get(path);
    if (!f) {
      f = { source, header, lines: [] };
      this.files.set(path, f);
    }
    f.lines.push(line);
  }

  count(source: string, files: number, lines: number): void {
    const c = (this.counts[source] ??= { files: 0, lines: 0 });
    c.files += files;
    c.lines += lines;
  }

  /** Writes every collected object; paths are sorted so runs are byte-identical. */
  flush(): void {
    for (const path of [...this.files.keys()].sort()) {
      const f = this.files.get(path)!;
      const text = [...f.header, ...f.lines].join('\n') + '\n';
      const full = join(this.root, path);
      mkdirSync(dirname(full), { recursive: true });
      // mtime is zero in the gzip header, so the bytes depend on the content only.
      writeFileSync(full, path.endsWith('.gz') ? gzipSync(text, { level: 6 }) : text);
      this.count(f.source, 1, f.lines.length);
    }
    this.files.clear();
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Calendar parts of an epoch-ms instant in UTC. */
export function parts(ms: number) {
  const d = new Date(ms);
  return {
    y: String(d.getUTCFullYear()), mo: pad(d.getUTCMonth() + 1), d: pad(d.getUTCDate()),
    h: pad(d.getUTCHours()), mi: pad(d.getUTCMinutes()), s: pad(d.getUTCSeconds()), ms: pad(d.getUTCMilliseconds(), 3),
  };
}

/** `YYYYMMDDTHHmmZ` of the start of the `minutes`-long delivery window holding `ms`. */
export function windowStamp(ms: number, minutes: number): string {
  const p = parts(Math.floor(ms / (minutes * 60_000)) * minutes * 60_000);
  return `${p.y}${p.mo}${p.d}T${p.h}${p.mi}Z`;
}

export function windowStart(ms: number, minutes: number): number {
  return Math.floor(ms / (minutes * 60_000)) * minutes * 60_000;
}

/** ISO 8601 UTC with milliseconds. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** ISO 8601 UTC without fraction (CloudTrail, Route 53). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

/** A stable short hash of a string (object-name suffixes that must not depend on run order). */
export function shortHash(text: string, length = 8, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  let out = '';
  for (let round = 0; out.length < length; round++) {
    for (let i = 0; i < text.length; i++) {
      h1 = Math.imul(h1 ^ text.charCodeAt(i), 16777619);
      h2 = Math.imul(h2 ^ (text.charCodeAt(i) + round), 2246822519);
    }
    out += alphabet[(h1 >>> 0) % alphabet.length]! + alphabet[(h2 >>> 0) % alphabet.length]!;
  }
  return out.slice(0, length);
}
