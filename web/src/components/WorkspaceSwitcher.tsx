import type { Membership } from '../api/types.ts';
import type { PageId } from '../pages.ts';
import { AppLink } from './AppLink.tsx';

interface WorkspaceSwitcherProps {
  workspaces: readonly Membership[];
  selectedId: string | undefined;
  onSelect(workspaceId: string): void;
  onOpen(id: PageId): void;
}

export function WorkspaceSwitcher({ workspaces, selectedId, onSelect, onOpen }: WorkspaceSwitcherProps) {
  return (
    <div className="switcher">
      {workspaces.length > 0 && (
        <>
          <label htmlFor="workspace-switcher" className="switcher-label">
            Workspace
          </label>
          <select
            id="workspace-switcher"
            className="switcher-select"
            value={selectedId ?? ''}
            onChange={(event) => onSelect(event.target.value)}
          >
            {workspaces.map((workspace) => (
              <option key={workspace.id} value={workspace.id}>
                {workspace.name} ({workspace.role})
              </option>
            ))}
          </select>
        </>
      )}
      <AppLink className="header-link" to="new-workspace" onOpen={onOpen}>
        New workspace
      </AppLink>
    </div>
  );
}
