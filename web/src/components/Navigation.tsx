import { type PageId, WORKSPACE_PAGES } from '../pages.ts';
import { AppLink } from './AppLink.tsx';

interface NavigationProps {
  current: PageId;
  onOpen(id: PageId): void;
}

export function Navigation({ current, onOpen }: NavigationProps) {
  return (
    <nav className="tabs" aria-label="Workspace">
      <ul className="tabs-list">
        {WORKSPACE_PAGES.map((page) => (
          <li key={page.id}>
            <AppLink className="tab" to={page.id} current={page.id === current} onOpen={onOpen}>
              {page.label}
            </AppLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
