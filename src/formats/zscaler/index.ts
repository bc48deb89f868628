export { zscaler } from './format.js';
