import pino, { type Logger } from 'pino';
import { redactText } from './redact/index.ts';

export type { Logger };

/** Header and field names whose values are secret whatever they look like. */
const SECRET_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.secret',
  '*.apiKey',
  '*.masterKey',
];

/**
 * One logger for the server and the CLI. Known secret fields are censored by path, and
 * then every serialized line passes through the content redactor (LOG-05), so a secret
 * that lands in an unexpected field or message is still masked before it is written.
 */
export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'enclave' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: SECRET_PATHS, censor: '[REDACTED]' },
      hooks: { streamWrite: (line) => redactText(line) },
    },
    // Batched writes: one syscall per 4 KiB of log lines instead of one per line.
    options.destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096 }),
  );
}
