import type { User } from '../api/types.ts';
import type { PageId } from '../pages.ts';
import { AppLink } from './AppLink.tsx';

interface AccountControlsProps {
  user: User;
  signingOut: boolean;
  onOpen(id: PageId): void;
  onSignOut(): void;
}

export function AccountControls({ user, signingOut, onOpen, onSignOut }: AccountControlsProps) {
  return (
    <div className="account">
      <AppLink className="header-link" to="security" onOpen={onOpen}>
        <span className="visually-hidden">Signed in as </span>
        {user.name}
        <span className="visually-hidden">: account security</span>
      </AppLink>
      <AppLink className="header-link" to="your-data" onOpen={onOpen}>
        Your data
      </AppLink>
      <button type="button" className="button button-quiet" onClick={onSignOut} disabled={signingOut}>
        {signingOut ? 'Signing out…' : 'Sign out'}
      </button>
    </div>
  );
}
