import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import type { Writable } from 'node:stream';
import { createLineRedactor, redactValue } from '../../core/redact/index.ts';
import type { Command } from '../command.ts';

async function write(stream: Writable, text: string): Promise<void> {
  if (text !== '' && !stream.write(text)) await once(stream, 'drain');
}

// In --json mode a record is re-serialized, so only lines that look like one are parsed:
// a bare number such as a card would otherwise lose its digits to float precision.
function redactJsonLine(line: string): string | undefined {
  const trimmed = line.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  const ending = line.endsWith('\r') ? '\r' : '';
  try {
    return JSON.stringify(redactValue(JSON.parse(line))) + ending;
  } catch {
    return undefined;
  }
}

export const redactCommand: Command = {
  name: 'redact',
  summary: 'mask secrets and personal data in text read from standard input',
  details:
    'Reads standard input line by line and writes it to standard output with tokens, keys,\n' +
    'passwords, card numbers, national ids, email addresses and phone numbers replaced by\n' +
    '[REDACTED:<kind>]. Everything else is copied unchanged, so it works as a filter on large\n' +
    'logs:  enclave redact < server.log > server.redacted.log',
  options: {
    json: {
      type: 'boolean',
      description: 'parse lines that are JSON records and mask them by key as well as by content',
    },
  },
  async run(args, io) {
    const json = args.values.json === true;
    const redactTextLine = createLineRedactor();
    const redactLine = (line: string): string => (json ? redactJsonLine(line) : undefined) ?? redactTextLine(line);
    const decoder = new StringDecoder('utf8');
    let pending = '';
    for await (const chunk of io.stdin) {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
      // Splitting only once a newline arrives keeps one very long line linear to read.
      if (!text.includes('\n')) {
        pending += text;
        continue;
      }
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      await write(io.stdout, lines.map((line) => `${redactLine(line)}\n`).join(''));
    }
    pending += decoder.end();
    // The last line keeps its missing newline, so output differs from input only where masked.
    if (pending !== '') await write(io.stdout, redactLine(pending));
    return 0;
  },
};
