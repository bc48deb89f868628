export { CLOUDFRONT_VIEW, cloudfrontReport, type ViewerTotals } from './view.js';
export { CLOUDFRONT_COLUMNS, CACHE_HITS, CACHE_LOOKUPS, cloudfrontFrom, cloudfrontWhere } from './read.js';
export { resolveViewer, wafRecorded, recordedOf, type ViewerGeo, type Recorded, type GeoSource } from './viewer-geo.js';
