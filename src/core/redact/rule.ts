import { isBareJsonNumber, JsonStringTracker } from './json-context.ts';

/** Named groups of one match. */
export type MatchGroups = Record<string, string | undefined>;

/**
 * One detector. Rules are data so a new kind of secret is one more entry, not a new code path.
 * Patterns must be linear-time (no nested ambiguous quantifiers) and must never match a `"`
 * or a lone `\`, so that masking a serialized JSON line leaves it valid JSON.
 */
export interface Rule {
  /** Stable identifier, unique across rules. */
  name: string;
  /** Label shown in the mask; a function when the label depends on what matched (a key name). */
  kind: string | ((groups: MatchGroups) => string);
  /**
   * A global regular expression; by default the whole match is masked. A named group
   * `secret` that ends the match narrows the mask to it, keeping a key or scheme matched
   * before it. A named group `before`, captured by a lookbehind that ends where the match
   * starts, widens the mask to cover it: a pattern can then anchor on a rare character
   * (the `@` of an address) and still mask what precedes it.
   */
  pattern: RegExp;
  /**
   * A cheaper pattern (no `g` flag) that finds something in every text the rule's pattern
   * matches; text it rejects skips the rule. Lookbehinds make V8 give up its fast scans, so
   * a screen without them keeps clean lines cheap.
   */
  screen?: RegExp;
  /** Rejects a candidate that has the right shape but fails a checksum or plausibility test. */
  accept?(secret: string): boolean;
}

/** Masks never contain `"` or `\`, so they can replace text inside a JSON string. */
export function mask(kind: string): string {
  return `[REDACTED:${kind}]`;
}

interface Span {
  start: number;
  end: number;
  replacement: string;
}

function spansOf(text: string, rule: Rule, json: boolean): Span[] {
  const tracker = json ? new JsonStringTracker(text) : undefined;
  const spans: Span[] = [];
  // replace() is V8's fastest way to visit every match of a global pattern; its result is unused.
  text.replace(rule.pattern, (match: string, ...rest: unknown[]) => {
    // The arguments end with the offset, the text and, when the pattern names groups, the groups.
    const named = typeof rest.at(-1) === 'object';
    const groups = (named ? rest.at(-1) : {}) as MatchGroups;
    const offset = rest.at(named ? -3 : -2) as number;
    const end = offset + match.length;
    const start = groups.secret !== undefined ? end - groups.secret.length : offset - (groups.before?.length ?? 0);
    const secret = text.slice(start, end);
    const previousEnd = spans.at(-1)?.end ?? 0;
    if (secret === '' || start < previousEnd || (rule.accept && !rule.accept(secret))) return '';
    const kind = typeof rule.kind === 'string' ? rule.kind : rule.kind(groups);
    // The one place a mask is quoted: it replaces a number outside any string, not string content.
    const replacement = tracker && isBareJsonNumber(text, start, secret, tracker) ? `"${mask(kind)}"` : mask(kind);
    spans.push({ start, end, replacement });
    return '';
  });
  return spans;
}

/** Masks what `rule` finds in `text`; `json` says the text may be serialized JSON, whose bare numbers need quoted masks. */
export function applyRule(text: string, rule: Rule, json: boolean): string {
  if (rule.screen && !rule.screen.test(text)) return text;
  const spans = spansOf(text, rule, json);
  if (spans.length === 0) return text;
  let redacted = '';
  let copied = 0;
  for (const span of spans) {
    redacted += text.slice(copied, span.start) + span.replacement;
    copied = span.end;
  }
  return redacted + text.slice(copied);
}
