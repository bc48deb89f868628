import { ConfigReader } from '../config-reader.js';
import { readFormatId, readFormatOptions, isFormatId } from '../format-choice.js';
import type { InputType } from '../intake.js';
import { listFormats } from '../../formats/registry.js';
import { FirehoseInput } from './firehose-input.js';
import { HttpIntakeInput } from './intake-input.js';
import { readKeys } from './keys.js';
import { readHttpConnectionLimits } from './limits.js';

const MIB = 1 << 20;

/**
 * `type: http`:
 * ```yaml
 * - type: http
 *   port: 8088                  # host defaults to 127.0.0.1
 *   keys: [k-0123456789abcdef]  # or keys_file: intake.keys
 *   max_body_bytes: 10485760
 *   formats: [aws.waf, app.json]           # default: every format and auto
 *   format_options: { aws.cloudfront: { fields: "timestamp c-ip …" } }
 * ```
 */
export const httpIntakeInputType: InputType = {
  type: 'http',
  description: 'HTTP intake: POST /intake/<format> with NDJSON or raw lines, intake keys, 413/429 limits',
  create(raw, at, issues) {
    const r = new ConfigReader(raw, at, issues).accept('type');
    const before = issues.length;
    const name = r.string('name', { required: true })!;
    const host = r.string('host', { default: '127.0.0.1', expected: 'an address to listen on' })!;
    const port = r.integer('port', { min: 0, max: 65535, default: 8088, unit: 'port, 0 = any free port' });
    const keys = readKeys(r, 'intake keys');
    const maxBodyBytes = r.integer('max_body_bytes', { min: 1024, max: 1024 * MIB, default: 10 * MIB, unit: 'bytes' });
    const retryAfterSeconds = r.integer('retry_after_seconds', { min: 1, max: 3600, default: 5 });
    const limits = readHttpConnectionLimits(r);
    const listed = r.strings('formats');
    for (const f of listed) if (f !== 'auto' && !isFormatId(f)) r.issue('formats', `unknown format '${f}' (known: ${listFormats().map((x) => x.id).join(', ')}, auto)`);
    const formats = new Set(listed.length ? listed : [...listFormats().map((f) => f.id), 'auto']);
    const formatOptions: Record<string, Record<string, string>> = {};
    const fo = r.section('format_options');
    if (fo) {
      for (const id of Object.keys(fo.raw)) {
        if (!formats.has(id)) fo.issue(id, `not a format accepted by this intake`);
        else formatOptions[id] = readFormatOptions(fo, id);
      }
    }
    r.finish();
    if (issues.length !== before || !keys) return undefined;
    return new HttpIntakeInput({ name, host, port, keys, maxBodyBytes, formats, formatOptions, retryAfterSeconds, limits });
  },
};

/**
 * `type: firehose`:
 * ```yaml
 * - type: firehose
 *   port: 8443
 *   path: /firehose             # the endpoint URL's path (default /)
 *   access_key: …               # the access key configured on the delivery stream (or access_key_file)
 *   format: aws.vpcflow         # or auto; aws.cloudfront with options: { fields: … } for real-time logs
 * ```
 * Firehose requires HTTPS: terminate TLS in front (load balancer or reverse proxy).
 */
export const firehoseInputType: InputType = {
  type: 'firehose',
  description: 'Amazon Data Firehose HTTP endpoint: CloudWatch Logs subscriptions (VPC flow, CloudTrail …) and CloudFront real-time logs',
  create(raw, at, issues) {
    const r = new ConfigReader(raw, at, issues).accept('type');
    const before = issues.length;
    const name = r.string('name', { required: true })!;
    const host = r.string('host', { default: '127.0.0.1', expected: 'an address to listen on' })!;
    const port = r.integer('port', { min: 0, max: 65535, default: 8443, unit: 'port, 0 = any free port' });
    const path = r.string('path', { default: '/', pattern: /^\/[\w./-]*$/, expected: 'a URL path such as /firehose' })!;
    const accessKey = readKeys(r, 'the access key configured on the delivery stream', 'access_key', 'access_key_file');
    const maxBodyBytes = r.integer('max_body_bytes', { min: 1024, max: 1024 * MIB, default: 64 * MIB, unit: 'bytes' });
    const format = readFormatId(r);
    const formatOptions = readFormatOptions(r);
    const limits = readHttpConnectionLimits(r);
    r.finish();
    if (issues.length !== before || !accessKey || !format) return undefined;
    return new FirehoseInput({ name, host, port, path, accessKey, maxBodyBytes, format, formatOptions, limits });
  },
};
