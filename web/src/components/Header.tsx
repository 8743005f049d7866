import type { ReactNode } from 'react';
import type { Health } from '../api/types.ts';

interface HeaderProps {
  health: Health | undefined;
  /** What the header offers on its right: the workspace switcher and account, or the key connection. */
  children?: ReactNode;
}

export function Header({ health, children }: HeaderProps) {
  return (
    <header className="app-header">
      <div className="app-header-brand">
        <img className="app-header-logo" src="/favicon.svg" alt="" width="28" height="28" />
        <span className="app-header-name">Enclave</span>
        {health?.mode === 'development' && (
          <span className="badge badge-warning" title="This server runs with development keys and settings; production refuses them.">
            Development mode
          </span>
        )}
      </div>
      {children && <div className="app-header-session">{children}</div>}
    </header>
  );
}
