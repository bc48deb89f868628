export { appJson } from './format.js';
export { appJsonToEcs } from './to-ecs.js';
