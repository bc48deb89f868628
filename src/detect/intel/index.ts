export { IntelIndex, type FeedInfo, type FeedFormat, type IndicatorInfo } from './intel-index.js';
export { loadIntel, IntelLoadError } from './load.js';
export { IntelMatcher, INTEL_FIELDS, intelRuleId, intelRules } from './matcher.js';
export { classify, normalizeUrl, normalizeDomain, type Classified, type IndicatorType } from './values.js';
export { parseStixPattern, type PatternTerm, type PatternResult } from './stix-pattern.js';
