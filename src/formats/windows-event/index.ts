export { windowsEvent } from './format.js';
export { windowsEventToEcs } from './to-ecs.js';
export { splitJsonValues } from './split.js';
