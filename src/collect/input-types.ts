import type { InputType } from './intake.js';
import { s3SqsInputType } from './s3sqs/input-type.js';
import { syslogInputType } from './syslog/input-type.js';
import { httpIntakeInputType, firehoseInputType } from './http/input-types.js';
import { tailInputType } from './tail/input-type.js';

/**
 * Every kind of input `packettrail collect` knows, by its `type:` in the config. One import and one
 * entry per input; each validates its own section (see `ConfigReader`) and builds the input.
 */
export const INPUT_TYPES: readonly InputType[] = [
  s3SqsInputType,
  syslogInputType,
  httpIntakeInputType,
  firehoseInputType,
  tailInputType,
];
