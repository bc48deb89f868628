/** `s3://` URLs, without the AWS SDK (loaded only when S3 is actually read). */

/** A parsed `s3://bucket/prefix` argument. */
export interface S3Location {
  bucket: string;
  prefix: string;
}

export interface S3ObjectInfo {
  bucket: string;
  key: string;
  size: number;
}

const S3_URL = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

export function isS3Url(arg: string): boolean {
  return arg.startsWith('s3://');
}

/** `s3://bucket/some/prefix` → bucket and prefix; undefined when the bucket name is not valid. */
export function parseS3Url(arg: string): S3Location | undefined {
  const m = S3_URL.exec(arg);
  return m ? { bucket: m[1]!, prefix: m[2] ?? '' } : undefined;
}

export function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

