export { umbrella } from './format.js';
