export { cloudfront } from './format.js';
export { cloudfrontToEcs } from './to-ecs.js';
