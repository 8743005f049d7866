/**
 * An RFC 4180 CSV reader. No CSV library is installed and the project adds no packages
 * without review, and the format is small: fields separated by commas, records by CRLF or
 * LF, fields optionally in double quotes, where "" stands for one quote and commas and
 * line breaks are literal. Lenient where exports commonly are: a UTF-8 byte order mark is
 * dropped and a bare CR also ends a record.
 */

export class CsvError extends Error {
  override name = 'CsvError';
}

/** Every record as an array of fields; empty lines are skipped. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  // Whether the current field began with a quote: text after its closing quote is an error.
  let afterQuote = false;
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const endField = () => {
    record.push(field);
    field = '';
    afterQuote = false;
  };
  const endRecord = () => {
    endField();
    if (record.length > 1 || record[0] !== '') records.push(record);
    record = [];
  };

  for (; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else {
        if (char === '\n') line++;
        field += char;
      }
      continue;
    }
    if (char === ',') endField();
    else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
    } else if (afterQuote) throw new CsvError(`line ${line}: text after a closing quote`);
    else if (char === '"' && field === '') quoted = true;
    else field += char;
  }
  if (quoted) throw new CsvError(`line ${line}: a quoted field is not closed`);
  if (field !== '' || record.length > 0) endRecord();
  return records;
}
