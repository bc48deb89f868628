/**
 * Splits a syslog TCP/TLS byte stream into messages (RFC 6587): octet counting (`123 <14>…`, the
 * count in bytes) and non-transparent framing (one message per line). `auto` decides per frame:
 * digits, a space and `<` start an octet-counted frame; anything else is a line, so headerless
 * lines that happen to start with a number (`1,2026/11/20 …`, PAN-OS without a header) stay lines.
 * Oversized frames are skipped whole and reported, never buffered without bound.
 */
export type Framing = 'auto' | 'octet-counting' | 'newline';

export interface FramerEvents {
  message(text: string): void;
  /** A frame that could not be read; `record` is (the start of) what was received. */
  malformed(reason: string, record: string): void;
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const LT = 60;
const MAX_COUNT_DIGITS = 9;
/** How much of a bad frame the dead letter keeps. */
const RECORD_SAMPLE = 4096;

export class SyslogFramer {
  private pending: Buffer | undefined;
  /** Bytes still to skip of an oversized octet-counted frame. */
  private skipBytes = 0;
  /** Skipping the rest of an oversized line. */
  private skipLine = false;

  constructor(
    private readonly framing: Framing,
    private readonly maxBytes: number,
    private readonly on: FramerEvents,
  ) {}

  push(chunk: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let pos = 0;
    const len = buf.length;
    while (pos < len) {
      if (this.skipBytes > 0) {
        const n = Math.min(this.skipBytes, len - pos);
        this.skipBytes -= n;
        pos += n;
        continue;
      }
      if (this.skipLine) {
        const lf = buf.indexOf(LF, pos);
        if (lf < 0) return;
        this.skipLine = false;
        pos = lf + 1;
        continue;
      }
      const c = buf[pos]!;
      if (c === LF || c === CR || c === 0) {
        pos++; // stray terminators between frames
        continue;
      }
      const counted = this.framing !== 'newline' ? this.octetFrame(buf, pos) : 'no';
      if (counted === 'wait') break;
      if (counted !== 'no') {
        const { start, size } = counted;
        if (size > this.maxBytes) {
          this.on.malformed(`octet-counted frame of ${size} bytes exceeds maxMessageBytes (${this.maxBytes}); skipped`, buf.toString('utf8', start, Math.min(len, start + RECORD_SAMPLE)));
          this.skipBytes = size;
          pos = start;
          continue;
        }
        if (start + size > len) break;
        this.emit(buf, start, start + size);
        pos = start + size;
        continue;
      }
      if (this.framing === 'octet-counting') {
        const lf = buf.indexOf(LF, pos);
        this.on.malformed('expected an octet-counted frame (`<length> <message>`, RFC 6587 3.4.1)', buf.toString('utf8', pos, Math.min(lf < 0 ? len : lf, pos + RECORD_SAMPLE)));
        if (lf < 0) {
          this.skipLine = true;
          return;
        }
        pos = lf + 1;
        continue;
      }
      const lf = buf.indexOf(LF, pos);
      if (lf < 0) {
        if (len - pos > this.maxBytes) {
          this.on.malformed(`line longer than maxMessageBytes (${this.maxBytes}) without a newline; skipped`, buf.toString('utf8', pos, pos + RECORD_SAMPLE));
          this.skipLine = true;
          return;
        }
        break;
      }
      if (lf - pos > this.maxBytes) {
        this.on.malformed(`line of ${lf - pos} bytes exceeds maxMessageBytes (${this.maxBytes}); skipped`, buf.toString('utf8', pos, pos + RECORD_SAMPLE));
      } else this.emit(buf, pos, lf);
      pos = lf + 1;
    }
    // Keep only the unread tail, copied so the (possibly large) chunk can be freed.
    if (pos < len) this.pending = Buffer.from(buf.subarray(pos));
  }

  /** The connection closed: a last line without newline is a message; a cut frame is reported. */
  end(): void {
    const rest = this.pending;
    this.pending = undefined;
    if (!rest || this.skipBytes > 0 || this.skipLine) return;
    const counted = this.framing !== 'newline' ? this.octetFrame(rest, 0) : 'no';
    if (counted !== 'no' && counted !== 'wait') {
      this.on.malformed(`connection closed inside an octet-counted frame (${rest.length - counted.start} of ${counted.size} bytes received)`, rest.toString('utf8', counted.start, counted.start + RECORD_SAMPLE));
      return;
    }
    if (counted === 'wait' && this.framing === 'octet-counting') {
      this.on.malformed('connection closed inside an octet count', rest.toString('utf8', 0, RECORD_SAMPLE));
      return;
    }
    this.emit(rest, 0, rest.length);
  }

  /** An octet count at `pos`: the frame, `wait` for more bytes, or `no` when this is not one. */
  private octetFrame(buf: Buffer, pos: number): { start: number; size: number } | 'wait' | 'no' {
    let i = pos;
    let size = 0;
    while (i < buf.length && i - pos < MAX_COUNT_DIGITS) {
      const d = buf[i]!;
      if (d < 48 || d > 57) break;
      size = size * 10 + d - 48;
      i++;
    }
    if (i === pos) return 'no';
    if (i === buf.length) return 'wait';
    if (buf[i] !== SPACE || size === 0) return 'no';
    if (this.framing === 'auto') {
      if (i + 1 === buf.length) return 'wait';
      if (buf[i + 1] !== LT) return 'no';
    }
    return { start: i + 1, size };
  }

  private emit(buf: Buffer, start: number, end: number): void {
    while (end > start && (buf[end - 1] === LF || buf[end - 1] === CR || buf[end - 1] === 0)) end--;
    if (end > start) this.on.message(buf.toString('utf8', start, end));
  }
}
