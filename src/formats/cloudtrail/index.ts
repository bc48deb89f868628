export { cloudtrail } from './format.js';
export { cloudtrailToEcs } from './to-ecs.js';
