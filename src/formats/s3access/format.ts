import type { Format, FieldSpec } from '../format.js';
import { S3AccessParser } from './parser.js';
import { detectS3Access } from './detect.js';
import { DATASET } from './to-ecs.js';

const fields: FieldSpec[] = (
  [
    ['aws.s3access.bucket_owner', 'keyword', 'Canonical user id of the bucket owner.'],
    ['aws.s3access.bucket', 'keyword'],
    ['aws.s3access.requester', 'keyword', 'ARN, canonical id, svc:<service> or absent for anonymous requests.'],
    ['aws.s3access.request_id', 'keyword', 'Joins CloudTrail S3 data events (requestID).'],
    ['aws.s3access.operation', 'keyword', 'REST.GET.OBJECT, BATCH.DELETE.OBJECT, S3.EXPIRE.OBJECT …'],
    ['aws.s3access.key', 'keyword', 'Object key as logged (URL-encoded).'],
    ['aws.s3access.request_uri', 'keyword'],
    ['aws.s3access.error_code', 'keyword'],
    ['aws.s3access.bytes_sent', 'long'],
    ['aws.s3access.object_size', 'long'],
    ['aws.s3access.total_time', 'long', 'Milliseconds.'],
    ['aws.s3access.turn_around_time', 'long', 'Milliseconds.'],
    ['aws.s3access.version_id', 'keyword'],
    ['aws.s3access.host_id', 'keyword', 'x-amz-id-2; joins CloudTrail additionalEventData.x-amz-id-2.'],
    ['aws.s3access.signature_version', 'keyword'],
    ['aws.s3access.cipher_suite', 'keyword'],
    ['aws.s3access.authentication_type', 'keyword'],
    ['aws.s3access.host_header', 'keyword'],
    ['aws.s3access.tls_version', 'keyword'],
    ['aws.s3access.access_point_arn', 'keyword'],
    ['aws.s3access.acl_required', 'keyword'],
    ['aws.s3access.source_region', 'keyword'],
    ['aws.s3access.extra_fields', 'keyword[]', 'Fields after the last known one (AWS appends new fields).'],
    ['client.address', 'keyword'],
    ['error.code', 'keyword'],
  ] as const
).map(([path, type, description]) => ({ path, type, description }) as FieldSpec);

export const s3access: Format = {
  id: DATASET,
  title: 'Amazon S3 server access logs',
  description:
    'Space-separated rows with a [bracketed] time and "quoted" strings, from the 18-field layout up to the current one ' +
    '(24, 25, 26 or more fields; fields AWS appends later are kept). Partitioned object keys ' +
    '<prefix><account>/<region>/<bucket>/YYYY/MM/DD/… set cloud.account.id and cloud.region.',
  framing: 'lines',
  detect: detectS3Access,
  createParser: (ctx) => new S3AccessParser(ctx),
  fields,
};
