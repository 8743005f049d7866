import type { Workspace } from '../api/types.ts';

interface KeyConnectionControlsProps {
  workspace: Workspace;
  onDisconnect(): void;
}

/** The header's right side while the dashboard acts with an API key rather than as a person. */
export function KeyConnectionControls({ workspace, onDisconnect }: KeyConnectionControlsProps) {
  return (
    <>
      <span className="app-header-workspace">
        <span className="visually-hidden">Connected to workspace </span>
        {workspace.name}
      </span>
      <span className="badge badge-neutral">API key</span>
      <button type="button" className="button button-quiet" onClick={onDisconnect}>
        Disconnect
      </button>
    </>
  );
}
