import { useState } from 'react';
import { closeAccount } from '../api/data-privacy.ts';
import type { User } from '../api/types.ts';
import { PasswordPrompt } from './PasswordPrompt.tsx';
import { TextField } from './TextField.tsx';

interface CloseAccountSectionProps {
  user: User;
  /** The server has closed the account and ended this session. */
  onClosed(): void;
}

/** DAT-03: closing one's own account, confirmed with the address typed out and the current password. */
export function CloseAccountSection({ user, onClosed }: CloseAccountSectionProps) {
  const [asking, setAsking] = useState(false);
  const [confirm, setConfirm] = useState('');

  return (
    <section className="card" aria-labelledby="close-account-heading">
      <h2 id="close-account-heading">Close your account</h2>
      <p>
        You are signed out everywhere and can never sign in to this account again. Workspaces only you belong to are deleted (kept for
        the retention period, then destroyed); you leave the others. If you are the only owner of a workspace that has other members,
        make someone else owner or delete it first. Your name, address and sign-in methods are removed.
      </p>
      {!asking ? (
        <button type="button" className="button button-danger" onClick={() => setAsking(true)}>
          Close account…
        </button>
      ) : (
        <PasswordPrompt
          id="close-account-password"
          explanation="Closing your account cannot be undone. Type your email address and enter your current password."
          submitLabel="Close my account"
          busyLabel="Closing…"
          action="close your account"
          danger
          onSubmit={async (password) => {
            await closeAccount(password, confirm);
            onClosed();
          }}
          onCancel={() => {
            setAsking(false);
            setConfirm('');
          }}
        >
          <TextField
            id="close-account-confirm"
            label={`Type your email address, ${user.email}, to confirm`}
            messages={[]}
            name="confirm"
            type="email"
            value={confirm}
            onChange={(event) => setConfirm(event.target.value)}
            autoComplete="off"
          />
        </PasswordPrompt>
      )}
    </section>
  );
}
