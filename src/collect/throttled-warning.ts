/** How often a recurring warning (refused connections, dropped datagrams) is logged at most. */
export const WARNING_INTERVAL_MS = 10_000;

/**
 * A warning about something that can recur as fast as a peer makes it happen (refused connections,
 * failed TLS handshakes): logged at once, then at most every `intervalMs` with how many times it
 * happened since, so an attacker cannot flood the log.
 */
export class ThrottledWarning {
  private last = 0;
  private since = 0;

  constructor(
    private readonly log: (message: string) => void,
    private readonly intervalMs = WARNING_INTERVAL_MS,
  ) {}

  /** One occurrence; `message` gets the number of occurrences the line stands for. */
  note(message: (occurrences: number) => string): void {
    this.since++;
    const now = Date.now();
    if (now - this.last < this.intervalMs) return;
    this.last = now;
    this.log(message(this.since));
    this.since = 0;
  }
}
