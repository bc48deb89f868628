import type { RuleMeta } from '../../detect/types.js';

/**
 * The CloudFront anomaly rules. Their alerts (rule.kind 'anomaly') come from the post-ingest
 * analysis and the `anomalies` view; the demo's truth.json names them by id.
 */
const rule = (id: string, title: string, level: RuleMeta['level'], description: string, falsepositives: string[], tags: string[] = []): RuleMeta => ({
  id, title, level, description, falsepositives, tags, kind: 'anomaly', author: 'packettrail',
});

export const ANOMALY_RULES = {
  volumeSpike: rule('61fb5eec-a02f-468b-b693-fb5446669cdb', 'CloudFront Request Volume Spike', 'medium',
    'Requests to a distribution in one bucket far above its seasonal baseline (same hour of week, else same hour of day, else the preceding hours).',
    ['A launch, a campaign or a news mention', 'A new client integration'], ['attack.impact', 'attack.t1498']),
  volumeDrop: rule('e02c6832-18a6-464f-a843-f8c13bf7560c', 'CloudFront Request Volume Drop', 'medium',
    'Requests to a distribution in one bucket far below its seasonal baseline: an outage, a DNS change, or logging that lost data.',
    ['A holiday', 'Traffic moved to another distribution']),
  errorSpike: rule('f7ddd4fa-f118-4e5b-aeae-50f6a375c9ea', 'CloudFront 5xx Error Rate Spike', 'high',
    'The share of 5xx responses of a distribution in one bucket far above its recent rate: the origin or the edge is failing.',
    ['A planned origin maintenance']),
  ipOutlier: rule('6715e47d-e662-4eda-b93c-cb91963e18c2', 'CloudFront Request Rate Outlier From One Address', 'medium',
    'One viewer address sends far more requests in one bucket than it usually does: a bot, a scraper or a flood.',
    ['A monitoring probe or a partner integration starting up', 'A corporate egress address that just started carrying traffic'], ['attack.impact', 'attack.t1498']),
  asnOutlier: rule('f19989ff-f73c-465e-a247-23792e03e6b7', 'CloudFront Request Rate Outlier From One ASN', 'high',
    'Viewers of one autonomous system send far more requests in one bucket than that network usually does: a distributed flood or a bot farm hosted in one network.',
    ['A large customer network onboarding'], ['attack.impact', 'attack.t1498']),
  newEdge: rule('c7217e82-681c-4aa4-8a2b-1ec3023b7665', 'CloudFront Distribution Served From a New Edge Location', 'low',
    'A distribution is served from an edge metro (the airport code of the POP) it never used before: its viewers are somewhere new, or its price class changed.',
    ['New POPs in a metro are not reported; a genuinely new market is']),
  newCountry: rule('cedb8189-d22f-4a92-9268-318a2dfec2d2', 'CloudFront Viewers From a New Country', 'low',
    'A distribution receives requests from a viewer country it never saw before.',
    ['A new market, a traveller, a VPN exit']),
  scanner: rule('c0a8c72d-6300-4d58-9e0f-6aad1c3c94cd', 'Scanner-Like Requests Against a CloudFront Distribution', 'medium',
    'One viewer address probes a distribution with several kinds of scanner requests (sensitive files, admin paths, path traversal, SQL injection, script injection, out-of-band callbacks, unusual methods) within one bucket.',
    ['An authorized penetration test or a vulnerability scanner run by the owner'], ['attack.reconnaissance', 'attack.t1595.002']),
} as const;

export type AnomalyRuleKey = keyof typeof ANOMALY_RULES;
