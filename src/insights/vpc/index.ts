export { VPC_VIEW, vpcReport, type VpcInsightOptions } from './view.js';
export { SENSITIVE_PORTS } from './internal.js';
