export { ANOMALIES_VIEW, ANOMALY_ANALYSIS, anomaliesReport, anomalyAlerts, anomalyFinding, findAnomalies } from './view.js';
export { ANOMALY_RULES, type AnomalyRuleKey } from './rules.js';
export { ANOMALY_DEFAULTS, type AnomalyOptions } from './context.js';
export type { Anomaly, Contributor, EventFilter } from './anomaly.js';
export { edgeMetro } from './first-seen.js';
export { PROBE_KINDS } from './probes.js';
export { median, robustSigma, seasonalBaseline, volumeVerdict, errorSpike, rateOutlier, runs } from './baseline.js';
