import { terminalSafe } from '../cli/text.js';

/** Where collect inputs report what they do (stderr). `quiet` keeps only errors; `silent` (tests) nothing. */
export const collectLog = {
  quiet: false,
  silent: false,
  info(input: string, message: string): void {
    if (!this.quiet && !this.silent) process.stderr.write(`packettrail collect [${terminalSafe(input)}]: ${terminalSafe(message)}\n`);
  },
  error(input: string, message: string): void {
    if (!this.silent) process.stderr.write(`packettrail collect [${terminalSafe(input)}]: ${terminalSafe(message)}\n`);
  },
};
