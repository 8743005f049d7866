import { valueAt } from './path.ts';

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_$.-]+)\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z0-9_$.-]+)\s*\}\}$/;

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `{{path}}` placeholders in a string, filled from the input; `encode` escapes each value (URLs). */
export function fillText(template: string, input: unknown, encode: (value: string) => string = (value) => value): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => encode(text(valueAt(input, path))));
}

/** A JSON body template: a string that is only a placeholder becomes the value itself, any other string interpolates. */
export function fillJson(template: unknown, input: unknown): unknown {
  if (typeof template === 'string') {
    const whole = WHOLE.exec(template);
    return whole ? (valueAt(input, whole[1]!) ?? null) : fillText(template, input);
  }
  if (Array.isArray(template)) return template.map((item) => fillJson(item, input));
  if (template !== null && typeof template === 'object') {
    const filled: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) {
      Object.defineProperty(filled, key, { value: fillJson(value, input), enumerable: true, writable: true, configurable: true });
    }
    return filled;
  }
  return template;
}
