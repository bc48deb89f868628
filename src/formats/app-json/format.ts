import type { FieldSpec, Format } from '../format.js';
import { AppJsonParser } from './parser.js';
import { detectAppJson } from './detect.js';
import { DATASET } from './to-ecs.js';

const fields: FieldSpec[] = (
  [
    ['app.request_id', 'keyword', 'X-Request-Id (or the mapped request id).'],
    ['app.trace_header', 'keyword', 'X-Amzn-Trace-Id as received (trace.id holds its Root, as ALB logs it).'],
    ['app.traceparent', 'keyword', 'W3C traceparent as received.'],
    ['app.peer_ip', 'ip', 'The address that connected to the app (load balancer, CDN edge or client).'],
    ['app.forwarded_for', 'keyword[]', 'X-Forwarded-For chain, client first.'],
    ['app.jwt.sha256', 'keyword', 'SHA-256 (hex) of the bearer token; the token itself is never stored.'],
    ['app.jwt.source', 'keyword', 'Where the token was found (headers.authorization, access_token …).'],
    ['app.jwt.flags', 'keyword[]', 'expired, not_yet_valid, alg_none, unsigned, oversized, encrypted, malformed.'],
    ['app.jwt.error', 'keyword', 'Why the token could not be decoded.'],
    ['app.jwt.alg', 'keyword'],
    ['app.jwt.iss', 'keyword'],
    ['app.jwt.aud', 'keyword[]'],
    ['app.jwt.sub', 'keyword'],
    ['app.jwt.upn', 'keyword'],
    ['app.jwt.preferred_username', 'keyword'],
    ['app.jwt.email', 'keyword'],
    ['app.jwt.oid', 'keyword', 'Entra object id (joins Defender account object ids).'],
    ['app.jwt.tid', 'keyword'],
    ['app.jwt.azp', 'keyword'],
    ['app.jwt.exp', 'date'],
    ['app.jwt.iat', 'date'],
    ['app.jwt.scp', 'keyword[]'],
    ['app.jwt.roles', 'keyword[]'],
    ['app.jwt.amr', 'keyword[]'],
    ['app.extra', 'json', 'Fields the mapping did not read (dotted paths), bounded.'],
    ['span.id', 'keyword'],
    ['service.name', 'keyword'],
  ] as const
).map(([path, type, description]) => ({ path, type, description }) as FieldSpec);

export const appJson: Format = {
  id: DATASET,
  title: 'Application JSON logs (request logs with OIDC/JWT identity)',
  description:
    'One JSON object per line, as web frameworks write them (pino, zap, logrus, Serilog, structlog …). A default table of ' +
    'candidate keys finds the timestamp (ISO or epoch s/ms/µs/ns), level, method, URL/path, status, latency, client and peer ' +
    'IPs, X-Forwarded-For, X-Amz-Cf-Id (→ http.request.id, the CloudFront/WAF join key), X-Amzn-Trace-Id (→ trace.id), ' +
    'traceparent, X-Request-Id, user agent and user, in nested header objects of any case. Override it with --mapping FILE ' +
    '(JSON or YAML). Bearer tokens and JWT values are decoded without verification into app.jwt.* and user.*, flagged ' +
    '(expired, alg none, oversized, malformed) and never stored: the original keeps [redacted jwt sha256:…].',
  framing: 'lines',
  options: [{ name: 'mapping', description: 'JSON or YAML file overriding the candidate keys per field (fields:, headers:, duration_unit:).' }],
  detect: detectAppJson,
  createParser: (ctx) => new AppJsonParser(ctx),
  fields,
};
