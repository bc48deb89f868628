export { parsePostureInputs, jsonErrorMessage, type ParsedPosture, type TrailInput, type InputProblem } from './parse.js';
export { postureReport, problemText } from './assess.js';
export { eventCoverage, type Coverage } from './selectors.js';
