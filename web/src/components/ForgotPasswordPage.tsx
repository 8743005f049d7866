import { requestPasswordReset } from '../api/password-reset.ts';
import type { PageId } from '../pages.ts';
import { EmailLinkRequestPage } from './EmailLinkRequestPage.tsx';

/** IDN-01: asks for a password-reset link. */
export function ForgotPasswordPage({ onOpen }: { onOpen(id: PageId): void }) {
  return (
    <EmailLinkRequestPage
      id="forgot-password"
      heading="Reset your password"
      intro="Enter the address you sign in with, and Enclave mails you a link to choose a new password."
      buttonLabel="Email me a reset link"
      action="send a reset link"
      sent={(email) => (
        <>
          If <strong>{email}</strong> belongs to an account that signs in with a password, a link to choose a new one is on its way. It
          works once, for a short while.
        </>
      )}
      send={requestPasswordReset}
      onOpen={onOpen}
    />
  );
}
