import { ConfigError, type EnclaveConfig } from '../core/config.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { DevOutbox } from './dev-outbox.ts';
import { smtpMailer } from './smtp.ts';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/** The request a mail belongs to: the origin its links point at, and where a failed delivery is reported. */
export interface MailContext {
  origin: string;
  log: (message: string, error?: unknown) => void;
}

/**
 * The request never waits for delivery: how long an SMTP server takes must not tell
 * whether an address got a mail (ASVS 6.3.8), and a slow server must not hold requests.
 */
export function sendInBackground(mailer: Mailer, mail: Mail, context: MailContext): void {
  mailer.send(mail).catch((error: unknown) => context.log('mail delivery failed', error));
}

/** A link's lifetime as a mail states it. */
export function lifetimeInWords(seconds: number): string {
  if (seconds >= 7200) return `${Math.floor(seconds / 3600)} hours`;
  return seconds >= 120 ? `${Math.floor(seconds / 60)} minutes` : `${seconds} seconds`;
}

export interface MailSetup {
  /** Undefined only in production with sign-up closed and no SMTP: mail-dependent routes then answer 409. */
  mailer: Mailer | undefined;
  /** Development without SMTP: mails are kept in the control database and shown at /api/dev/outbox. */
  outbox: DevOutbox | undefined;
}

/**
 * Production without SMTP: sign-up needs a verification mail, so a server that lets
 * anyone sign up refuses to start rather than create accounts nobody can verify. With
 * sign-up closed it starts (operators create verified accounts), and magic links answer
 * 409 `email_not_configured` for every address alike.
 */
export function openMailer(config: EnclaveConfig, controlDb: SqliteDatabase): MailSetup {
  if (config.smtp) return { mailer: smtpMailer(config.smtp), outbox: undefined };
  if (config.mode === 'development') {
    const outbox = new DevOutbox(controlDb);
    return { mailer: outbox, outbox };
  }
  if (config.allowSignUp) {
    throw new ConfigError('production with sign-up allowed needs smtp settings to send verification mails, or set allowSignUp: false');
  }
  return { mailer: undefined, outbox: undefined };
}
