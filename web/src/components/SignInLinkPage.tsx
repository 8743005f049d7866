import { requestSignInLink } from '../api/sign-in-link.ts';
import type { PageId } from '../pages.ts';
import { EmailLinkRequestPage } from './EmailLinkRequestPage.tsx';

/** IDN-02: asks for a magic sign-in link instead of typing a password. */
export function SignInLinkPage({ onOpen }: { onOpen(id: PageId): void }) {
  return (
    <EmailLinkRequestPage
      id="sign-in-link"
      heading="Sign in with a link"
      intro="Enter the address of your account, and Enclave mails you a link that signs you in."
      buttonLabel="Email me a sign-in link"
      action="send a sign-in link"
      sent={(email) => (
        <>
          If <strong>{email}</strong> belongs to a confirmed account, a sign-in link is on its way. It works once, for a few minutes,
          in this browser or any other.
        </>
      )}
      send={requestSignInLink}
      onOpen={onOpen}
    />
  );
}
