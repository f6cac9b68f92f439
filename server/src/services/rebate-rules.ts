/** The rules of a line are pure: they live in the engine, next to the ratio chains. */
export { lineRebateRules, queueDisplayName, type LineRebateRules, type LineScope } from '../engine/rebate/line-rules';
