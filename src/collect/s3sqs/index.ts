export { s3SqsInputType, LazyS3SqsInput } from './input-type.js';
export { S3SqsInput, type S3SqsSettings, type S3SqsCounts } from './input.js';
export { parseNotification, decodeKey, type ObjectNotice, type ParsedMessage } from './notifications.js';
export { Backoff, delayFor, sleep } from './backoff.js';
export { VisibilityExtender, BatchDeleter, createSqsClient, queueName } from './queue.js';
