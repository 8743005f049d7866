import { call } from './client.ts';

export interface OutboxMail {
  id: number;
  to: string;
  subject: string;
  text: string;
  createdAt: string;
}

export interface DevOutbox {
  developmentOnly: true;
  notice: string;
  mails: OutboxMail[];
}

/** Exists only on a development server without SMTP, and answers only the machine itself. */
export function devOutbox(): Promise<DevOutbox> {
  return call<DevOutbox>('/api/dev/outbox');
}
