import {
  basicRule,
  bearerRule,
  jwtRule,
  privateKeyRule,
  providerTokenRules,
  urlPasswordRule,
} from './credentials.ts';
import { keyValueRule } from './keys.ts';
import { aadhaarRule, cardRule, emailRule, ibanRule, panRule, phoneRules, ssnRule } from './personal.ts';
import { applyRule, type Rule } from './rule.ts';

interface Stage {
  rules: readonly Rule[];
  /**
   * Finds something in every text any of the stage's rules would mask; text it rejects
   * skips the whole stage. Defaults to the rules' screens as one alternation.
   */
  gate?: RegExp;
}

/**
 * What every number rule needs and a clean log line rarely has. Each branch starts on the
 * rarer character and looks back, which V8 scans far faster than a leading digit class:
 * 12+ digits from a 2-9 that starts a run (cards, Aadhaar; a timestamp's run starts with 1);
 * a space, dash, `)` or `+` next to digits (grouped forms, SSN, phones); and the dotted
 * 3-3-4 and trunk-0 phone forms, which unlike IP addresses end in 4 digits or start with 0.
 * Written out because the rules' screens, alternated, scan much slower.
 */
const NUMBER_GATE = new RegExp(
  [
    '[2-9](?<![0-9][2-9])\\d{11}',
    '[ \\-)+.](?:(?<=\\d[ \\-)])\\d|(?<=\\)) \\d|(?<=\\+)\\d|(?<=\\d\\.)\\d{3}\\.\\d{4}|(?<=0\\d{1,5}\\.)\\d{2})',
  ].join('|'),
);

/**
 * Every rule, in the order applied, in stages of neighbours. Rules whose secrets span
 * whitespace (private keys, auth schemes) run before the key rule, whose unquoted values end
 * at whitespace and would otherwise mask only the first word. IBANs run before cards, whose
 * digit groups could match inside one, and cards before the shorter Aadhaar and phone shapes.
 * Later rules never match inside an earlier mask.
 */
const STAGES: readonly Stage[] = [
  { rules: [privateKeyRule] },
  { rules: [bearerRule, basicRule, urlPasswordRule] },
  { rules: [keyValueRule] },
  { rules: [jwtRule, ...providerTokenRules] },
  { rules: [emailRule] },
  { rules: [ibanRule, panRule] },
  { rules: [cardRule, ssnRule, aadhaarRule, ...phoneRules], gate: NUMBER_GATE },
];

export const rules: readonly Rule[] = STAGES.flatMap((stage) => stage.rules);

// Each regex call has a fixed cost and scans the whole line, so one alternation of a stage's
// screens lets a clean line skip a dozen rules for the price of one scan. A stage of one rule
// needs none: the rule's own screen is the same test.
function gateOf(stage: Stage): RegExp | undefined {
  if (stage.gate || stage.rules.length === 1) return stage.gate;
  const screens = stage.rules.map((rule) => rule.screen);
  if (screens.some((screen) => screen === undefined)) return undefined;
  const flags = new Set(screens.map((screen) => screen!.flags));
  if (flags.size > 1) throw new Error(`screens in one stage must share flags: ${stage.rules.map((rule) => rule.name).join(', ')}`);
  return new RegExp(screens.map((screen) => `(?:${screen!.source})`).join('|'), screens[0]!.flags);
}

const gated = STAGES.map((stage) => ({ gate: gateOf(stage), rules: stage.rules }));

function redact(text: string, json: boolean): string {
  let redacted = text;
  for (const stage of gated) {
    if (stage.gate && !stage.gate.test(redacted)) continue;
    for (const rule of stage.rules) redacted = applyRule(redacted, rule, json);
  }
  return redacted;
}

/** Masks secrets and personal data in free text, including serialized JSON (which stays valid). */
export function redactText(text: string): string {
  return redact(text, true);
}

/** redactText for text known not to be serialized JSON, such as a string inside an object: no mask is ever quoted. */
export function redactPlainText(text: string): string {
  return redact(text, false);
}
