import type { Alert } from '../detect/types.js';
import type { EventStore } from '../store/store.js';
import type { InsightOptions, InsightReport } from './report.js';
import { CLOUDTRAIL_VIEW } from './cloudtrail/index.js';
import { VPC_VIEW } from './vpc/index.js';
import { COVERAGE_ANALYSIS, COVERAGE_VIEW } from './coverage/index.js';
import { CLOUDFRONT_VIEW } from './cloudfront/index.js';
import { ANOMALIES_VIEW, ANOMALY_ANALYSIS } from './anomaly/index.js';

/** One `packettrail insights <id>` view; the console's dashboards call the same function through the API. */
export interface InsightView {
  id: string;
  title: string;
  description: string;
  run(store: EventStore, options: InsightOptions): Promise<InsightReport>;
}

/**
 * An analysis that runs after every ingest (and on demand) and turns what it finds into alerts
 * (anomalies, silent sources). Alert ids must be deterministic so re-running stores nothing twice.
 */
export interface IngestAnalysis {
  id: string;
  run(store: EventStore, options: InsightOptions): Promise<Alert[]>;
}

/** Every insights view, in the order the CLI lists them. */
export const INSIGHT_VIEWS: InsightView[] = [
  CLOUDTRAIL_VIEW,
  VPC_VIEW,
  COVERAGE_VIEW,
  CLOUDFRONT_VIEW,
  ANOMALIES_VIEW,
];

/** Every post-ingest analysis. */
export const INGEST_ANALYSES: IngestAnalysis[] = [COVERAGE_ANALYSIS, ANOMALY_ANALYSIS];

export function getInsightView(id: string): InsightView | undefined {
  return INSIGHT_VIEWS.find((v) => v.id === id);
}
