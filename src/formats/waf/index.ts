export { waf } from './format.js';
export { wafToEcs } from './to-ecs.js';
