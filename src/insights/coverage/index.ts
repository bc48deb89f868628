export { COVERAGE_VIEW, COVERAGE_ANALYSIS, SILENT_SOURCE_RULE, coverageReport, silenceAlerts } from './view.js';
export { findSilences, COVERAGE_DEFAULTS, type CoverageOptions, type CoverageResult, type Silence } from './silence.js';
