import type { MatchGroups, Rule } from './rule.ts';

/** A family of key names whose values are secrets, and the label their mask carries. */
interface KeyFamily {
  kind: string;
  /** Regex alternatives, matched case-insensitively at the end of a key name. */
  terms: string;
  /** Header-like values (`Cookie: a=1; b=2`, `Authorization: Digest …`) run to the end of the line. */
  header?: boolean;
}

// Matching at the end of a key catches prefixed names (db_password, x-api-key, github_token)
// while leaving counters and settings alone (max_tokens, token_type, password_reset).
const FAMILIES: readonly KeyFamily[] = [
  { kind: 'password', terms: 'passw(?:or)?d|passphrase|pwd' },
  { kind: 'private-key', terms: 'private[-_]?key' },
  { kind: 'api-key', terms: '(?:api|access|signing|encryption|master)[-_]?key' },
  { kind: 'secret', terms: 'secret' },
  { kind: 'token', terms: 'token' },
  { kind: 'session', terms: 'session|sessid' },
  { kind: 'credential', terms: 'credentials?' },
  { kind: 'authorization', terms: 'auth' },
  { kind: 'authorization', terms: 'authorization', header: true },
  { kind: 'cookie', terms: 'cookie', header: true },
];

// A few endings that still name the secret itself or a direct derivative of it
// (password_hash, sessionId, secret_key, password2).
const SUFFIX = '(?:[-_]?(?:id|key|hash|digest|value|confirm(?:ation)?|plain(?:text)?)|\\d)?';

function familyAlternatives(families: readonly KeyFamily[]): string {
  return families.map((family) => `(?<k${FAMILIES.indexOf(family)}>${family.terms})`).join('|');
}

function kindOf(groups: MatchGroups): string {
  for (const [index, family] of FAMILIES.entries()) {
    if (groups[`k${index}`] !== undefined) return family.kind;
  }
  throw new Error('a key rule matched no key family');
}

const KEY_NAME = new RegExp(`(?:${familyAlternatives(FAMILIES)})${SUFFIX}$`, 'i');

/** The mask label for a property whose name marks its value as secret, if it is one. */
export function sensitiveKeyKind(name: string): string | undefined {
  const match = KEY_NAME.exec(name);
  return match?.groups ? kindOf(match.groups) : undefined;
}

// The content of a JSON string, escapes included, so `"a\"b"` is one value.
const JSON_STRING = '(?:[^"\\\\]|\\\\.)*';
// A string inside a JSON string (a serialized body in a log message) is delimited by a run of
// backslashes and a quote: `\"` one level down, `\\\"` two levels down. A longer odd run is a
// quote escaped inside it, unless it decodes, one level down, to escaped backslashes and that
// delimiter (a string ending in `\`), which closes it too; a shorter run closes a string
// around it. Backslashes are consumed a whole run at a time with the character they escape,
// and never before a raw `"`, so the value cannot reach past the string it sits in at any
// level and always ends on a whole escape.
const ESCAPED_CLOSE = '\\\\+"';
const ESCAPED_OPEN = '(?<run>\\\\+)"';
const NESTED_CLOSE = '(?:\\k<run>\\k<run>\\\\\\\\)*\\k<run>"';
const ESCAPED_STRING = `(?:[^"\\\\]|\\\\+[^"\\\\]|(?!${NESTED_CLOSE})(?=\\k<run>\\\\)\\\\(?:\\\\\\\\)*")*`;
const ESCAPED_END = `(?=${NESTED_CLOSE})`;
const SEPARATOR = `'?[ \\t]*[:=]`;
// After an unquoted key, a quote may close the JSON string the key sits in (at this level or
// one serialized inside it) rather than open a value. JSON allows only `, : ] }` after a
// closing quote, blank space and escaped line breaks aside, so such a quote opens nothing.
const NOT_CLOSING = '(?!(?:\\s|\\\\+[nrt])*[,:\\]}])';
// A number under a secret key (a PIN, a numeric token) is masked too; applyRule quotes the
// mask when it stands in for a JSON number.
const JSON_NUMBER = '-?\\d+(?:\\.\\d+)?(?:e[+\\-]?\\d+)?';

// Unquoted values take backslashes a whole run at a time with the character they escape, so
// masking never splits an escape at any level of serialized JSON; a run before a quote or a
// line break (`\"`, `\n`) ends the value.
const ESCAPE = '\\\\+[^"\\\\nrt\\s]';
// Header values hold spaces, `;` and `,`, so they run to the end of the line or string.
const HEADER_VALUE = `(?:[^"\\\\\\r\\n]|${ESCAPE})+`;
// Other unquoted values end at whitespace and at the separators of query strings and lists.
const BARE_VALUE = `(?:[^\\s"\\\\&,;]|${ESCAPE})+`;

/**
 * The value after a key: `"key":"value"`, `\"key\":\"value\"`, `key=value`, `key: value`,
 * `'key': 'value'`. `true`, `false` and `null` say nothing secret and are left alone.
 */
function valueForms(bareValue: string): string {
  return [
    `"\\s*:\\s*(?:"(?<secret>${JSON_STRING})(?=")|(?<secret>${JSON_NUMBER}))`,
    `${ESCAPED_CLOSE}[ \\t]*:[ \\t]*(?:${ESCAPED_OPEN}(?<secret>${ESCAPED_STRING})${ESCAPED_END}|(?<secret>${JSON_NUMBER}))`,
    `${SEPARATOR}[ \\t]*(?:"${NOT_CLOSING}(?<secret>${JSON_STRING})(?=")` +
      `|${ESCAPED_OPEN}${NOT_CLOSING}(?<secret>${ESCAPED_STRING})${ESCAPED_END}` +
      `|'(?<secret>[^'"\\\\\\r\\n]*)(?=')` +
      `|(?<secret>${bareValue}))`,
  ].join('|');
}

function keysWithValues(families: readonly KeyFamily[], bareValue: string): string {
  return `(?:${familyAlternatives(families)})${SUFFIX}(?:${valueForms(bareValue)})`;
}

/** Values by the name of their key, in one pass over the text for all key families. */
export const keyValueRule: Rule = {
  name: 'key-value',
  kind: kindOf,
  pattern: new RegExp(
    `${keysWithValues(
      FAMILIES.filter((family) => family.header),
      HEADER_VALUE,
    )}|${keysWithValues(
      FAMILIES.filter((family) => !family.header),
      BARE_VALUE,
    )}`,
    'gi',
  ),
};
