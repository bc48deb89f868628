import { open, type FileHandle } from 'node:fs/promises';
import type { Delivery } from '../intake.js';
import { fingerprint, type FileCheckpoint } from './checkpoint.js';

/** A file large enough to cover a header block; header lines beyond this many are not remembered. */
const MAX_HEADER_LINES = 16;

export interface ReadBatch {
  delivery: Delivery;
  /** Bytes the delivery covers (complete lines, newlines included). */
  bytes: number;
}

/**
 * One watched file, open: the handle stays open across renames, so a rotated file is read to its end
 * even after a new file took its name. Only complete lines are handed over while the file may still
 * grow; `drain` (the file was rotated away or deleted) also hands over a last unterminated line.
 */
export class TrackedFile {
  /** Polls since the file left the globs. */
  polledWhileGone = 0;

  private constructor(
    private fh: FileHandle,
    public cp: FileCheckpoint,
    private readonly headerPattern: RegExp | undefined,
  ) {}

  static async open(path: string, start: { offset: number; line: number; header?: string[] } | 'end', headerPattern: RegExp | undefined): Promise<TrackedFile> {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      const fp = await fingerprint(fh, st.size);
      const from = start === 'end' ? { offset: st.size, line: 0 } : start;
      const cp: FileCheckpoint = { path, dev: st.dev, ino: st.ino, offset: from.offset, line: from.line, ...fp };
      if (start !== 'end' && start.header?.length) cp.header = start.header;
      return new TrackedFile(fh, cp, headerPattern);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** The file's first `bytes` bytes still hash to `expected` (it is the file a checkpoint was taken of). */
  async matchesFingerprint(expected: string, bytes: number): Promise<boolean> {
    if ((await this.fh.stat()).size < bytes) return false;
    return (await fingerprint(this.fh, bytes)).fingerprint === expected;
  }

  /** True when the file starts with the gzip magic: a compressed rotation, not something to tail. */
  async isGzip(): Promise<boolean> {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await this.fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  }

  /**
   * Notices truncation (size below the offset: read again from 0) and a first-bytes change at the
   * same offset (rewritten in place); returns what happened, for the log.
   */
  async checkReset(): Promise<'truncated' | 'rewritten' | undefined> {
    const st = await this.fh.stat();
    if (st.size < this.cp.offset) {
      await this.restart(st.size);
      return 'truncated';
    }
    if (this.cp.offset > 0 && st.size >= this.cp.fingerprintBytes) {
      const fp = await fingerprint(this.fh, this.cp.fingerprintBytes);
      if (fp.fingerprint !== this.cp.fingerprint) {
        await this.restart(st.size);
        return 'rewritten';
      }
    }
    return undefined;
  }

  private async restart(size: number): Promise<void> {
    const fp = await fingerprint(this.fh, size);
    this.cp = { ...this.cp, offset: 0, line: 0, ...fp };
    delete this.cp.header;
  }

  /**
   * The next lines from the offset, at most about `maxBytes` (a single longer line is read whole, up
   * to `maxLineBytes`); undefined when there is nothing complete to hand over.
   */
  async next(format: string, formatOptions: Record<string, string>, maxBytes: number, maxLineBytes: number, final: boolean): Promise<ReadBatch | undefined> {
    const st = await this.fh.stat();
    let want = Math.min(maxBytes, st.size - this.cp.offset);
    if (want <= 0) return undefined;
    for (;;) {
      const buf = Buffer.alloc(want);
      const { bytesRead } = await this.fh.read(buf, 0, want, this.cp.offset);
      let end = buf.lastIndexOf(10, bytesRead - 1) + 1;
      const atEof = this.cp.offset + bytesRead >= st.size;
      if (end === 0) {
        if (final && atEof && bytesRead > 0) end = bytesRead;
        else if (!atEof && want < maxLineBytes) {
          // One line longer than a batch: read more of it.
          want = Math.min(want * 4, maxLineBytes, st.size - this.cp.offset);
          continue;
        } else if (!atEof || bytesRead >= maxLineBytes) {
          // Longer than maxLineBytes: handed over cut, the format reports it.
          end = bytesRead;
        } else return undefined;
      } else if (final && atEof && end < bytesRead) end = bytesRead;
      const text = buf.toString('utf8', 0, end);
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      for (let k = 0; k < lines.length; k++) if (lines[k]!.endsWith('\r')) lines[k] = lines[k]!.slice(0, -1);
      const delivery: Delivery = { source: this.cp.path, format, lines, firstLine: this.cp.line + 1 };
      if (Object.keys(formatOptions).length) delivery.formatOptions = formatOptions;
      if (this.cp.header?.length && this.cp.line > 0) delivery.header = this.cp.header;
      return { delivery, bytes: end };
    }
  }

  /** The delivery was stored: move the offset past it and remember header lines it held. */
  async advance(batch: ReadBatch): Promise<void> {
    const first = this.cp.offset === 0 || this.cp.fingerprintBytes < 1024;
    this.cp.offset += batch.bytes;
    this.cp.line += batch.delivery.lines.length;
    if (this.headerPattern) this.rememberHeader(batch.delivery.lines);
    // A file shorter than the fingerprint size when first seen gets its full fingerprint once it grew.
    if (first) Object.assign(this.cp, await fingerprint(this.fh, (await this.fh.stat()).size));
  }

  private rememberHeader(lines: string[]): void {
    const re = this.headerPattern!;
    let block: string[] | undefined;
    for (const l of lines) {
      re.lastIndex = 0;
      if (re.test(l)) (block ??= []).push(l);
      else if (block) {
        this.cp.header = block.slice(-MAX_HEADER_LINES);
        block = undefined;
      }
    }
    if (block) this.cp.header = block.slice(-MAX_HEADER_LINES);
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
