import type { Format } from './format.js';
import { cloudfront } from './cloudfront/index.js';

/** Every format packettrail reads. `--format` ids, auto-detection and the store schema come from this list. */
export const FORMATS: readonly Format[] = [cloudfront];
