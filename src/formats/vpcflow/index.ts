export { vpcflow } from './format.js';
export { vpcflowToEcs, tcpFlagNames } from './to-ecs.js';
export { communityId } from './community-id.js';
