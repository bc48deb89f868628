export { generate, buildScenario, FIXTURE_START, LOGS_DIR, BULK_LINES_PER_SCALE, type GenerateOptions, type Manifest } from './generate.js';
export { scoreAlerts, refMatches, type Score, type ScoredAlert, type RuleScore } from './score.js';
export { Rng } from './random.js';
export { buildWorld, APP_HOST, type World, type User, type Laptop, type Edge } from './world.js';
export type { Scenario, WebRequest, DnsQuery, Flow, Incident, EventRef } from './model.js';
