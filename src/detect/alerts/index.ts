export { buildAlert, alertId, canonicalKey, type Finding } from './build.js';
export { Suppressor, DEFAULT_SUPPRESS_WINDOW_MS } from './suppress.js';
export { AlertSink, type AlertSinkStats } from './sink.js';
export { NdjsonAlertSink } from './ndjson-sink.js';
export { StoreAlertSink } from './store-sink.js';
export { WebhookAlertSink, retryAfterMs, type WebhookOptions } from './webhook-sink.js';
