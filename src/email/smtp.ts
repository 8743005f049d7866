import { createTransport } from 'nodemailer';
import type { EnclaveConfig } from '../core/config.ts';
import { readSecretFile } from '../core/secret-file.ts';
import type { Mailer } from './mailer.ts';

type SmtpSettings = NonNullable<EnclaveConfig['smtp']>;

export function smtpMailer(settings: SmtpSettings): Mailer {
  const auth = settings.user && settings.passwordFile ? { user: settings.user, pass: readSecretFile(settings.passwordFile, 'smtp.passwordFile') } : undefined;
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
