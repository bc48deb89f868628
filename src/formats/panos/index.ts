export { panos } from './format.js';
export { panosToEcs } from './to-ecs.js';
