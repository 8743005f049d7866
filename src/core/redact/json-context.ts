/**
 * Answers, for increasing offsets into one text, whether the offset lies outside every JSON
 * string. Scanning forward from the previous answer keeps a whole pass linear.
 */
export class JsonStringTracker {
  readonly #text: string;
  #position = 0;
  #inside = false;

  constructor(text: string) {
    this.#text = text;
  }

  outsideAt(offset: number): boolean {
    for (; this.#position < offset; this.#position++) {
      const code = this.#text.charCodeAt(this.#position);
      if (code === 0x5c && this.#inside) this.#position++;
      else if (code === 0x22) this.#inside = !this.#inside;
    }
    return !this.#inside;
  }
}

const JSON_NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

// A JSON value follows `:`, `,` or `[`, or is the whole document.
function inValuePosition(text: string, start: number, end: number): boolean {
  let before = start - 1;
  while (before >= 0 && /\s/.test(text[before]!)) before--;
  if (before < 0) return text.slice(end).trim() === '';
  const previous = text[before];
  return previous === ':' || previous === ',' || previous === '[';
}

/**
 * A secret that is a number in value position outside any string is a JSON number literal
 * (`"card":4111…`); its mask must then be a JSON string, or the line stops being JSON.
 */
export function isBareJsonNumber(text: string, start: number, secret: string, tracker: JsonStringTracker): boolean {
  return JSON_NUMBER.test(secret) && inValuePosition(text, start, start + secret.length) && tracker.outsideAt(start);
}
