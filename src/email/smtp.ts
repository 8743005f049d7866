import { readFileSync, statSync } from 'node:fs';
import { createTransport } from 'nodemailer';
import { ConfigError, type EnclaveConfig } from '../core/config.ts';
import type { Mailer } from './mailer.ts';

type SmtpSettings = NonNullable<EnclaveConfig['smtp']>;

/** The password lives in a file only its owner can read, never in config, environment or argv. */
function readPasswordFile(path: string): string {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    throw new ConfigError(`smtp.passwordFile ${path} cannot be read`);
  }
  if ((mode & 0o077) !== 0) throw new ConfigError(`smtp.passwordFile ${path} must be readable by its owner only: chmod 600 it`);
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}

export function smtpMailer(settings: SmtpSettings): Mailer {
  const auth = settings.user && settings.passwordFile ? { user: settings.user, pass: readPasswordFile(settings.passwordFile) } : undefined;
  const transport = createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    // A password is never sent over a connection that STARTTLS did not encrypt.
    requireTLS: Boolean(auth) && !settings.secure,
    ...(auth ? { auth } : {}),
  });
  return {
    async send(mail) {
      await transport.sendMail({ from: settings.from, to: mail.to, subject: mail.subject, text: mail.text });
    },
  };
}
