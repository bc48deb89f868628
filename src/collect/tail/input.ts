import { stat } from 'node:fs/promises';
import { glob } from 'tinyglobby';
import { getFormat } from '../../formats/registry.js';
import type { CollectInput, StreamIntake } from '../intake.js';
import { collectLog } from '../log.js';
import { identity, loadCheckpoints, saveCheckpoints, type FileCheckpoint } from './checkpoint.js';
import { TrackedFile } from './tracked-file.js';

/** Polls a file is still read after it left the globs (rotated away or deleted). */
const GONE_POLLS = 4;

export interface TailSettings {
  name: string;
  /** Glob patterns (absolute, or relative to `cwd`). */
  paths: string[];
  exclude: string[];
  cwd: string;
  format: string;
  formatOptions: Record<string, string>;
  checkpoint: string;
  pollMs: number;
  /** For files with no checkpoint when the input starts: read them whole, or only what is appended. */
  startAt: 'beginning' | 'end';
  maxBatchBytes: number;
  maxLineBytes: number;
  log?: (message: string) => void;
}

export interface TailCounts {
  files: number;
  deliveries: number;
  lines: number;
  stored: number;
  rejected: number;
  rotations: number;
  truncations: number;
  failedDeliveries: number;
}

/**
 * Watched folders: follows every file the globs match, through rotation (rename + new file: the old
 * one is read to its end through its open handle) and truncation (read again from the start), and
 * hands complete lines to the pipeline. The checkpoint (device/inode, offset, first-bytes fingerprint)
 * is written atomically after each delivery is stored, so a restart neither loses nor repeats lines
 * (a crash between storing and writing the checkpoint repeats one delivery, which stores nothing twice).
 */
export class TailInput implements CollectInput {
  readonly name: string;
  private readonly files = new Map<string, TrackedFile>();
  /** Files seen that are not tailed (gzip rotations), by identity, so they are reported once. */
  private readonly ignored = new Set<string>();
  private checkpoints = new Map<string, FileCheckpoint>();
  private intake: StreamIntake | undefined;
  private timer: NodeJS.Timeout | undefined;
  private cycle: Promise<void> = Promise.resolve();
  private stopping = false;
  private firstScan = true;
  private readonly log: (message: string) => void;
  readonly counts: TailCounts = { files: 0, deliveries: 0, lines: 0, stored: 0, rejected: 0, rotations: 0, truncations: 0, failedDeliveries: 0 };
  private readonly headerPattern: RegExp | undefined;

  constructor(private readonly s: TailSettings) {
    this.name = s.name;
    this.log = s.log ?? ((m) => collectLog.error(s.name, m));
    const pattern = s.format === 'auto' ? undefined : getFormat(s.format).headerPattern;
    this.headerPattern = pattern ? new RegExp(pattern.source, pattern.flags.replace('g', '')) : undefined;
  }

  async start(intake: StreamIntake): Promise<void> {
    this.intake = intake;
    this.checkpoints = await loadCheckpoints(this.s.checkpoint);
    this.cycle = this.poll();
    await this.cycle;
    collectLog.info(this.s.name, `following ${this.files.size} file(s) matching ${this.s.paths.join(', ')}`);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.cycle;
    await this.save();
    for (const f of this.files.values()) await f.close();
    this.files.clear();
  }

  /** One pass: find files, notice rotations and truncations, deliver what was appended. */
  private async poll(): Promise<void> {
    try {
      const seen = await this.scan();
      for (const [id, file] of [...this.files]) {
        if (this.stopping) break;
        const gone = !seen.has(id);
        const reset = gone ? undefined : await file.checkReset();
        if (reset) {
          this.counts.truncations++;
          collectLog.info(this.s.name, `${file.cp.path} was ${reset}: reading it again from the start`);
        }
        // A writer may append to a rotated file until it reopens its log: keep reading it for a few polls.
        const lastLook = gone && ++file.polledWhileGone >= GONE_POLLS;
        const drained = await this.readFile(file, lastLook);
        if (lastLook && drained && !this.stopping) {
          // Rotated out of the globs or deleted, and read to its end through the open handle.
          this.counts.rotations++;
          this.files.delete(id);
          this.checkpoints.delete(id);
          await file.close();
          await this.save();
        }
      }
    } catch (e) {
      this.log(`poll failed: ${(e as Error).message}`);
    }
    if (!this.stopping) this.timer = setTimeout(() => (this.cycle = this.poll()), this.s.pollMs);
  }

  /** Opens files the globs match that are not followed yet; returns the identities present now. */
  private async scan(): Promise<Set<string>> {
    const paths = await glob(this.s.paths, { cwd: this.s.cwd, absolute: true, onlyFiles: true, ignore: this.s.exclude, followSymbolicLinks: true });
    const seen = new Set<string>();
    for (const path of paths.sort()) {
      let st;
      try {
        st = await stat(path);
      } catch {
        continue; // removed between listing and stat
      }
      const id = identity(st.dev, st.ino);
      seen.add(id);
      const known = this.files.get(id);
      if (known) {
        if (known.cp.path !== path) known.cp.path = path; // renamed within the globs: same file, read on
        continue;
      }
      if (this.ignored.has(id)) continue;
      await this.follow(path, id);
    }
    if (this.firstScan) {
      // Checkpoints of files no longer there (rotated away while stopped) are dropped.
      for (const id of [...this.checkpoints.keys()]) if (!this.files.has(id)) this.checkpoints.delete(id);
      this.firstScan = false;
    }
    return seen;
  }

  private async follow(path: string, id: string): Promise<void> {
    const cp = this.checkpoints.get(id);
    let file: TrackedFile;
    try {
      file = await TrackedFile.open(path, cp ? { offset: cp.offset, line: cp.line, ...(cp.header ? { header: cp.header } : {}) } : this.firstScan && this.s.startAt === 'end' ? 'end' : { offset: 0, line: 0 }, this.headerPattern);
    } catch (e) {
      this.log(`cannot open ${path}: ${(e as Error).message}`);
      return;
    }
    if (await file.isGzip()) {
      this.ignored.add(id);
      this.log(`${path} is gzip-compressed (a rotated copy?): not tailed; ingest it with \`packettrail ingest\` if it holds lines not read here`);
      await file.close();
      return;
    }
    if (cp && !(await file.matchesFingerprint(cp.fingerprint, cp.fingerprintBytes))) {
      // Same device and inode, different first bytes: the inode was reused by a new file.
      file.cp.offset = 0;
      file.cp.line = 0;
      delete file.cp.header;
      this.log(`${path} reuses the inode of a file read before (different first bytes): reading it from the start`);
    }
    this.files.set(id, file);
    this.counts.files++;
  }

  /** Delivers everything complete that was appended to `file`, one batch at a time; true when all was. */
  private async readFile(file: TrackedFile, final: boolean): Promise<boolean> {
    const intake = this.intake!;
    while (!this.stopping) {
      while (intake.saturated && !this.stopping) await new Promise((r) => setTimeout(r, 50));
      const batch = await file.next(this.s.format, this.s.formatOptions, this.s.maxBatchBytes, this.s.maxLineBytes, final);
      if (!batch) return true;
      try {
        const result = await intake.deliver(batch.delivery);
        this.counts.deliveries++;
        this.counts.lines += batch.delivery.lines.length;
        this.counts.stored += result.stored;
        this.counts.rejected += result.rejected;
      } catch (e) {
        this.counts.failedDeliveries++;
        this.log(`delivery from ${file.cp.path} (lines ${batch.delivery.firstLine}–) failed, retried at the next poll: ${(e as Error).message}`);
        return false;
      }
      await file.advance(batch);
      await this.save();
    }
    return false;
  }

  private async save(): Promise<void> {
    const all = new Map(this.checkpoints);
    for (const [id, f] of this.files) all.set(id, { ...f.cp });
    this.checkpoints = all;
    await saveCheckpoints(this.s.checkpoint, all.values());
  }
}
