export { createLineRedactor } from './lines.ts';
export { sensitiveKeyKind } from './keys.ts';
export { mask, type MatchGroups, type Rule } from './rule.ts';
export { redactText, rules } from './text.ts';
export { CIRCULAR, redactValue } from './value.ts';
