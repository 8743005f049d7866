import type { AuditEvent } from '../audit/event.ts';

/** Facility 13, "log audit" (RFC 5424 §6.2.1). */
const FACILITY = 13;
const NOTICE = 5;
const WARNING = 4;

/**
 * The SD-ID of Enclave's structured data. Private SD-IDs take the form name@<IANA private
 * enterprise number>; 32473 is the number reserved for documentation (RFC 5612) until
 * Enclave has one of its own.
 */
export const SD_ID = 'enclave@32473';

/** PARAM-VALUE escaping (RFC 5424 §6.3.3): `"`, `\` and `]` take a backslash. */
function paramValue(text: string): string {
  return text.replace(/["\\\]]/g, (character) => `\\${character}`);
}

/** A header field: printable US-ASCII only, at most `max` characters, `-` when empty. */
function headerField(text: string, max: number): string {
  const printable = text.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return printable === '' ? '-' : printable;
}

/**
 * LOG-07: one audit event as an RFC 5424 message. The whole event, exactly as the export
 * writes it, travels as the `event` parameter of the structured data, beside the log it came
 * from and its seq; MSG repeats the gist for people reading a plain syslog file.
 */
export function syslogMessage(log: string, event: AuditEvent, hostname: string): string {
  const severity = event.outcome === 'success' ? NOTICE : WARNING;
  const header = `<${FACILITY * 8 + severity}>1 ${event.occurredAt} ${headerField(hostname, 255)} enclave - ${headerField(event.action, 32)}`;
  const data = `[${SD_ID} log="${paramValue(log)}" seq="${event.seq}" event="${paramValue(JSON.stringify(event))}"]`;
  return `${header} ${data} ${event.action} ${event.outcome} by ${event.actor.type}:${event.actor.id}`;
}

/** Octet-counting framing (RFC 6587 §3.4.1): the message's length in bytes, a space, the message. */
export function octetCounted(message: string): Buffer {
  const bytes = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${bytes.length} `, 'ascii'), bytes]);
}
