import type { PageId } from '../pages.ts';
import { AppLink } from './AppLink.tsx';
import { PageHeading } from './PageHeading.tsx';

interface CheckEmailNoticeProps {
  email: string;
  onOpen(id: PageId): void;
}

/**
 * The one answer to every sign-up: the server never says whether an address already had an
 * account, so neither does this page.
 */
export function CheckEmailNotice({ email, onOpen }: CheckEmailNoticeProps) {
  return (
    <>
      {/* The heading takes focus, which is how a screen reader hears that the form was sent. */}
      <PageHeading>Check your email</PageHeading>
      <p>
        If <strong>{email}</strong> can be used for a new account, it has one now. When this server confirms addresses, a
        message with a confirmation link is on its way: open it first.
      </p>
      <p className="muted">Nothing arrived? Check your spam folder, or ask the person who runs this Enclave.</p>
      <div className="form-actions">
        <AppLink className="button button-primary" to="sign-in" onOpen={onOpen}>
          Continue to sign in
        </AppLink>
      </div>
    </>
  );
}
