/** The SQS input's back-off is the shared one (the store's retries and NATS workers use it too). */
export { Backoff, delayFor, sleep } from '../../util/backoff.js';
