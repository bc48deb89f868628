export { CLOUDTRAIL_VIEW, cloudtrailReport } from './view.js';
export { CHANGE_RULES, type ChangeRule, type ChangeCategory } from './changes.js';
