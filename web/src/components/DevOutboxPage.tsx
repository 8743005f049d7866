import { useCallback } from 'react';
import { devOutbox, type OutboxMail } from '../api/dev-outbox.ts';
import { useApiQuery } from '../api/use-api-query.ts';
import { plural } from '../plural.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { PageHeading } from './PageHeading.tsx';
import { Timestamp } from './Timestamp.tsx';

const LINK = /(https?:\/\/[^\s<>"]+)/;

/** Links to this server become clickable; any other address stays text, as a mail reader should be wary. */
function MailBody({ text }: { text: string }) {
  return (
    <pre className="mail-body">
      {text.split(LINK).map((part, index) =>
        index % 2 === 1 && URL.canParse(part) && new URL(part).origin === window.location.origin ? (
          <a key={index} href={part}>
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </pre>
  );
}

function Mail({ mail }: { mail: OutboxMail }) {
  return (
    <article className="card mail" aria-labelledby={`mail-${mail.id}`}>
      <h2 id={`mail-${mail.id}`}>{mail.subject}</h2>
      <p className="muted">
        To {mail.to} · <Timestamp at={mail.createdAt} />
      </p>
      <MailBody text={mail.text} />
    </article>
  );
}

/** DEVELOPMENT ONLY: the mails a development server without SMTP kept instead of sending. */
export function DevOutboxPage() {
  const outbox = useApiQuery(useCallback(() => devOutbox(), []));
  return (
    <main className="workspace page" aria-labelledby="page-heading">
      <PageHeading description="Mails this development server would have sent. They were not sent: production sends through SMTP and has no outbox.">
        Development outbox
      </PageHeading>
      <p className="notice notice-warning" role="note">
        Development mode only. These mails hold working sign-in links; the outbox answers only this machine.
      </p>
      {outbox.result.state === 'loading' && <p className="muted">Loading the outbox…</p>}
      {outbox.result.state === 'failed' && <ErrorNotice error={outbox.result.error} action="read the development outbox" />}
      {outbox.result.state === 'loaded' && (
        <>
          <div className="table-footer">
            <p className="muted" role="status">
              {outbox.result.value.mails.length === 0 ? 'No mail yet: sign up, ask for a sign-in link or invite someone.' : `${plural(outbox.result.value.mails.length, 'mail')}, newest first.`}
            </p>
            <button type="button" className="button" onClick={outbox.reload}>
              Refresh
            </button>
          </div>
          {outbox.result.value.mails.map((mail) => (
            <Mail key={mail.id} mail={mail} />
          ))}
        </>
      )}
    </main>
  );
}
