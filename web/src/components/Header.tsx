import type { Health, Workspace } from '../api/types.ts';

interface HeaderProps {
  health: Health | undefined;
  workspace: Workspace | undefined;
  onDisconnect(): void;
}

export function Header({ health, workspace, onDisconnect }: HeaderProps) {
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
      {workspace && (
        <div className="app-header-session">
          <span className="app-header-workspace">
            <span className="visually-hidden">Connected to workspace </span>
            {workspace.name}
          </span>
          <button type="button" className="button button-quiet" onClick={onDisconnect}>
            Disconnect
          </button>
        </div>
      )}
    </header>
  );
}
