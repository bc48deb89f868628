import { registerRuleEngine } from '../spec.js';
import { sigmaEngine } from './engine.js';

// Imported for its effect: every thread that imports it (main and workers) can build Sigma matchers.
registerRuleEngine(sigmaEngine);
