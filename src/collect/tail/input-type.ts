import { ConfigReader } from '../config-reader.js';
import { readFormatId, readFormatOptions } from '../format-choice.js';
import type { InputType } from '../intake.js';
import { TailInput } from './input.js';

const MIB = 1 << 20;

/**
 * `type: tail`:
 * ```yaml
 * - type: tail
 *   name: proxy
 *   paths: [/var/log/squid/*.log, '/srv/app/logs/**\/*.ndjson']
 *   exclude: ['**\/*.gz']
 *   format: app.json                # or auto
 *   checkpoint: /var/lib/packettrail/proxy.tail.json   # default: <name>.tail-checkpoint.json
 *   start_at: beginning             # or end: files found at the first start are read from their end
 *   poll_ms: 250
 * ```
 */
export const tailInputType: InputType = {
  type: 'tail',
  description: 'Watched folders: follows files matching globs through rotation and truncation, with checkpoints',
  create(raw, at, issues) {
    const r = new ConfigReader(raw, at, issues).accept('type');
    const before = issues.length;
    const name = r.string('name', { required: true })!;
    const paths = r.strings('paths');
    if (!paths.length && !r.has('paths')) r.issue('paths', 'required: expected a list of file paths or glob patterns');
    const exclude = r.strings('exclude');
    const format = readFormatId(r);
    const formatOptions = readFormatOptions(r);
    const checkpoint = r.string('checkpoint', { default: `${name}.tail-checkpoint.json`, expected: 'a file path' })!;
    const startAt = r.oneOf('start_at', ['beginning', 'end'], 'beginning');
    const pollMs = r.integer('poll_ms', { min: 10, max: 60_000, default: 250, unit: 'milliseconds' });
    const maxBatchBytes = r.integer('max_batch_bytes', { min: 4096, max: 256 * MIB, default: 4 * MIB, unit: 'bytes' });
    const maxLineBytes = r.integer('max_line_bytes', { min: 1024, max: 1024 * MIB, default: 64 * MIB, unit: 'bytes' });
    r.finish();
    if (issues.length !== before || !format) return undefined;
    return new TailInput({ name, paths, exclude, cwd: process.cwd(), format, formatOptions, checkpoint, pollMs, startAt, maxBatchBytes, maxLineBytes });
  },
};
