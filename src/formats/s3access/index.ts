export { s3access } from './format.js';
export { s3accessToEcs } from './to-ecs.js';
