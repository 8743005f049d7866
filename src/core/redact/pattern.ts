import type { Rule } from './rule.ts';

/**
 * Where a token may start: not glued to a preceding character of `glue`. In JSON text a
 * backslash starts an escape, and masking from inside one (`\"`, `\u00e9`) would break the
 * line, so after a backslash a token may start only where an escape is complete at every
 * level of serialized JSON: after `\n`, `\r`, `\t` or a `\u` escape's four hex digits, or
 * after escaped backslashes (an even run, as in `C:\\Users\\`) when it does not begin with a
 * letter that could continue an escape one level down.
 */
export function tokenStart(glue: string): string {
  return `(?:(?<=\\\\[nrt]|\\\\u[0-9a-fA-F]{4})|(?<=(?:^|[^\\\\])(?:\\\\\\\\)+)(?![bfnrtu])|(?<![${glue}\\\\]))`;
}

/** A rule's pattern from a body and the characters that may not touch it, with the body alone as its screen. */
export function bounded(body: string, glue: string): Pick<Rule, 'pattern' | 'screen'> {
  return {
    pattern: new RegExp(`${tokenStart(glue)}(?:${body})(?![${glue}])`, 'g'),
    screen: new RegExp(body),
  };
}

/** Characters that continue an identifier-like token. */
export const WORD = 'A-Za-z0-9_';

/**
 * Numbers may not touch a letter, `.`, `-` or `+` on the left (a hash, version, UUID or
 * decimal goes on there), nor be followed by a letter or by `.`/`-` and another digit:
 * `1.2.3`, `2024-01-15` and `10.0.0.1` continue past where a card or id number would end.
 * The screen keeps the digit edges, with a consumed character instead of a lookbehind, so
 * a 13-digit timestamp does not wake every rule for 12-digit ids.
 */
export function number(body: string): Pick<Rule, 'pattern' | 'screen'> {
  return {
    pattern: new RegExp(`${tokenStart('A-Za-z0-9_.+\\-')}(?:${body})(?![A-Za-z0-9_]|[.\\-]\\d)`, 'g'),
    screen: new RegExp(`(?:^|\\D)(?:${body})(?!\\d)`),
  };
}

export function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}
