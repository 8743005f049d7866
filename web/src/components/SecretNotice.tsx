import type { ReactNode } from 'react';

interface SecretNoticeProps {
  headingId: string;
  /** h2 when the notice stands on a page of its own, h3 inside a card. */
  headingLevel: 'h2' | 'h3';
  heading: ReactNode;
  children: ReactNode;
  dismissLabel: string;
  onDismiss(): void;
}

/**
 * The frame of every "shown once" secret (API keys, SCIM and pairing tokens): the server keeps
 * only a hash, so the notice stays until the person says they have stored the secret.
 */
export function SecretNotice({ headingId, headingLevel: Heading, heading, children, dismissLabel, onDismiss }: SecretNoticeProps) {
  return (
    <section className="notice notice-secret" aria-labelledby={headingId}>
      <Heading id={headingId} className="notice-heading">
        {heading}
      </Heading>
      {children}
      <div className="form-actions">
        <button type="button" className="button button-quiet" onClick={onDismiss}>
          {dismissLabel}
        </button>
      </div>
    </section>
  );
}
