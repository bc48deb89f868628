export { buildTrail } from './build.js';
export { TrailNotFoundError, TrailQueryError, DEFAULT_WINDOW_SECONDS } from './anchor.js';
export { HOP_KINDS, type HopKind, type HopVerdict, type Trail, type TrailHop, type TrailJoin, type TrailQuery } from './types.js';
