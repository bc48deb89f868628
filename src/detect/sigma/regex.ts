/** The RE2 regex checker moved to src/util/re2.ts (SPL uses it too); rules import it from here. */
export * from '../../util/re2.js';
