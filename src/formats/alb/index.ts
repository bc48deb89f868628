export { alb } from './format.js';
export { accessToEcs, flattenTraceId } from './to-ecs.js';
