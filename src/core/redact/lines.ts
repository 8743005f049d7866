import { PRIVATE_KEY_LABEL } from './credentials.ts';
import { mask } from './rule.ts';
import { redactText } from './text.ts';

const MARKER = new RegExp(`-----(BEGIN|END) ${PRIVATE_KEY_LABEL}-----`, 'g');
const END = new RegExp(`-----END ${PRIVATE_KEY_LABEL}-----`);

// True when the last private key marker in the text opens a block.
function opensPrivateKey(text: string): boolean {
  if (!text.includes('PRIVATE KEY')) return false;
  let open = false;
  for (const marker of text.matchAll(MARKER)) open = marker[1] === 'BEGIN';
  return open;
}

/**
 * Redacts a text stream one line at a time. A private key's body lines look like any base64,
 * so once a line opens a block the following lines are masked whole until the END line.
 */
export function createLineRedactor(): (line: string) => string {
  let insidePrivateKey = false;
  return (line) => {
    let prefix = '';
    let rest = line;
    if (insidePrivateKey) {
      const end = END.exec(line);
      if (!end) return mask('private-key');
      prefix = mask('private-key');
      rest = line.slice(end.index + end[0].length);
    }
    insidePrivateKey = opensPrivateKey(rest);
    return prefix + redactText(rest);
  };
}
