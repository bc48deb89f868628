export { defender } from './format.js';
export { defenderToEcs } from './to-ecs.js';
