export { route53resolver } from './format.js';
export { route53ResolverToEcs } from './to-ecs.js';
