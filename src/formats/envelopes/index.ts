export { MAX_ENVELOPE_RECORDS, unwrapEnvelope, unwrapSample, isEnvelopeDocument, type Unwrapped, type EnvelopeRecord, type EnvelopeContext } from './envelope.js';
export { feedEnvelope, applyContext } from './feed.js';
