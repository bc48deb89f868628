import type { Intake } from '../intake.js';

interface Entry {
  line: number;
  reason: string;
  record: string;
}

/** Longest record text a dead letter keeps (the pipeline clips the same way). */
const RECORD_CHARS = 64 * 1024;
const FLUSH_AT = 500;

/**
 * Dead letters an input produces itself (unrouted or unreadable syslog messages), gathered per
 * origin and handed to the intake's dead-letter output in batches; without one, they are reported
 * on stderr so they never vanish.
 */
export class InputRejects {
  private pending = new Map<string, Entry[]>();
  private size = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  count = 0;

  constructor(
    private readonly intake: Intake,
    private readonly delayMs: number,
    private readonly log: (message: string) => void,
  ) {}

  add(source: string, line: number, reason: string, record: string): void {
    let list = this.pending.get(source);
    if (!list) this.pending.set(source, (list = []));
    list.push({ line, reason, record: record.length > RECORD_CHARS ? record.slice(0, RECORD_CHARS) : record });
    this.count++;
    if (++this.size >= FLUSH_AT) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.delayMs);
  }

  /** Writes what is pending; resolves when every write so far is done. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    this.size = 0;
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  private async write(batch: Map<string, Entry[]>): Promise<void> {
    for (const [source, entries] of batch) {
      try {
        if (this.intake.deadLetter) await this.intake.deadLetter(source, 'unknown', entries);
        else throw new Error('the intake keeps no dead letters');
      } catch (e) {
        for (const x of entries) this.log(`dead letter (${(e as Error).message}): ${source} message ${x.line}: ${x.reason}: ${x.record.slice(0, 200)}`);
      }
    }
  }
}
