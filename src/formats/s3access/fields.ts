/**
 * S3 server access log fields in file order (S3 user guide, formats.md §9). Rows end early in old
 * logs and AWS appends fields over time: rows need the first MIN_FIELDS, later ones are optional,
 * and anything past the list is kept in `aws.s3access.extra_fields`.
 */
export const S3_FIELDS = [
  'bucket_owner', 'bucket', 'time', 'remote_ip', 'requester', 'request_id', 'operation', 'key', 'request_uri',
  'http_status', 'error_code', 'bytes_sent', 'object_size', 'total_time', 'turn_around_time', 'referer',
  'user_agent', 'version_id', 'host_id', 'signature_version', 'cipher_suite', 'authentication_type', 'host_header',
  'tls_version', 'access_point_arn', 'acl_required', 'source_region',
] as const;

export type S3Field = (typeof S3_FIELDS)[number];

/** Up to version-id: the layout S3 wrote before host-id and the signature fields were added. */
export const MIN_FIELDS = 18;

export const INDEX = new Map<string, number>(S3_FIELDS.map((n, i) => [n, i]));
