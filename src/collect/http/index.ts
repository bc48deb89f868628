export { HttpIntakeInput, type IntakeSettings, type IntakeCounts } from './intake-input.js';
export { FirehoseInput, readBatch, type FirehoseSettings, type FirehoseCounts } from './firehose-input.js';
export { httpIntakeInputType, firehoseInputType } from './input-types.js';
export { AccessKeys } from './keys.js';
