export { TailInput, type TailSettings, type TailCounts } from './input.js';
export { tailInputType } from './input-type.js';
export { loadCheckpoints, saveCheckpoints, type FileCheckpoint } from './checkpoint.js';
