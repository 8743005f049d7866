import { passesLuhn, passesVerhoeff } from './checksums.ts';
import { isIban } from './iban.ts';
import { bounded, digitsOf, number, tokenStart, WORD } from './pattern.ts';
import type { Rule } from './rule.ts';

/**
 * Email addresses. The pattern anchors on the `@` and takes the local part from a lookbehind
 * (the `before` group): scanning forward from every word instead costs V8 a backtrack entry
 * per character. The local part must be a whole run, and the user part of a URL
 * (`ssh://git@host`) is not an address. The domain needs a dot and an alphabetic last label.
 */
export const emailRule: Rule = {
  name: 'email',
  kind: 'email',
  pattern: new RegExp(
    `(?<=(?<!:\\/\\/)${tokenStart('A-Za-z0-9._%+\\-')}(?<before>[A-Za-z0-9._%+\\-]+))@[A-Za-z0-9\\-]+(?:\\.[A-Za-z0-9\\-]+)+`,
    'g',
  ),
  screen: /@/,
  accept: (address) => /\.[A-Za-z]{2,}$/.test(address),
};

/** IBANs, compact or in groups of four, checked by country length and mod 97. */
export const ibanRule: Rule = {
  name: 'iban',
  kind: 'iban',
  ...bounded('[A-Z]{2}\\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)', WORD),
  accept: isIban,
};

/**
 * Card numbers: 13–19 digits written compact, in 4-4-4-4(-3) groups or Amex/Diners' 4-6-5 and
 * 4-6-4, with one consistent separator, passing Luhn. They start with a major industry
 * identifier of 2-6 (Mastercard, Amex, Visa, Discover, UnionPay…) or RuPay's 81/82, which keeps
 * epoch milliseconds (1…) out and, leading the pattern, lets the screen skip most digits.
 */
export const cardRule: Rule = {
  name: 'card',
  kind: 'card',
  ...number(
    '(?:[2-6]|8[12])\\d{3}(?:\\d{9,15}' +
      '|(?<g>[ \\-])\\d{4}\\k<g>\\d{4}\\k<g>\\d{4}(?:\\k<g>\\d{3})?' +
      '|(?<a>[ \\-])\\d{6}\\k<a>\\d{4,5})',
  ),
  accept: (candidate) => passesLuhn(digitsOf(candidate)),
};

/** US Social Security numbers, without the ranges the SSA never issues (000, 666, 9xx, 00, 0000). */
export const ssnRule: Rule = {
  name: 'ssn',
  kind: 'ssn',
  ...number('(?!000|666|9\\d\\d)\\d{3}-(?!00)\\d{2}-(?!0000)\\d{4}'),
  // The exclusions lead the body with a lookahead, which slows the derived screen.
  screen: /\d{3}-\d{2}-\d{4}/,
};

// A compact date-time (YYYYMMDDhhmm) is also twelve digits starting with 2.
const COMPACT_TIMESTAMP = /^20\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:[01]\d|2[0-3])[0-5]\d$/;

/** Aadhaar numbers: 12 digits, first 2-9, often 4-4-4, ending in a Verhoeff check digit. */
export const aadhaarRule: Rule = {
  name: 'aadhaar',
  kind: 'aadhaar',
  ...number('[2-9]\\d{3}(?<s>[ \\-]?)\\d{4}\\k<s>\\d{4}'),
  accept: (candidate) => {
    const digits = digitsOf(candidate);
    return passesVerhoeff(digits) && !COMPACT_TIMESTAMP.test(digits);
  },
};

/** Indian PAN: five letters (the fourth is the holder type), four digits, a letter. */
export const panRule: Rule = {
  name: 'pan',
  kind: 'pan',
  ...bounded('[A-Z]{3}[ABCFGHJLPT][A-Z]\\d{4}[A-Z]', WORD),
};

function digitCountBetween(min: number, max: number): (candidate: string) => boolean {
  return (candidate) => {
    const count = digitsOf(candidate).length;
    return count >= min && count <= max;
  };
}

/**
 * Phone numbers. Separators between groups are mandatory (apart from E.164's compact form),
 * which keeps each group's digits unambiguous and so the match linear, and keeps bare
 * numbers such as ids and epoch seconds out.
 */
export const phoneRules: readonly Rule[] = [
  {
    name: 'phone-e164',
    kind: 'phone',
    // +<country><digits>, optionally grouped, with an area code in parentheses: +44 (0)20 7946 0958.
    ...number('\\+[1-9]\\d*(?:[ .\\-]?\\(\\d+\\)[ .\\-]?\\d+)?(?:[ .\\-]\\d+)*'),
    accept: digitCountBetween(8, 15),
  },
  {
    name: 'phone-nanp',
    kind: 'phone',
    // North American (555) 123-4567, 555-123-4567, 555.123.4567; area codes start 2-9.
    ...number(
      '(?:1[ .\\-]?)?(?:\\([2-9]\\d{2}\\)[ ]?\\d{3}[ .\\-]\\d{4}|[2-9]\\d{2}(?<s>[ .\\-])\\d{3}\\k<s>\\d{4})',
    ),
  },
  {
    name: 'phone-trunk',
    kind: 'phone',
    // National numbers with a trunk 0: 020 7946 0958, 07700 900123, 06 12 34 56 78. Requiring
    // 10-11 digits and no further group keeps dates (01-02-2024) and hex dumps out.
    ...number('0\\d{1,5}(?<s>[ .\\-])\\d{2,6}(?:\\k<s>\\d{2,4}){0,3}(?!\\k<s>\\d)'),
    accept: digitCountBetween(10, 11),
  },
  {
    name: 'phone-india',
    kind: 'phone',
    // Indian mobiles are written 98765 43210; the 5-5 split is what sets them apart from ids.
    ...number('0?[6-9]\\d{4}[ \\-]\\d{5}'),
  },
];
