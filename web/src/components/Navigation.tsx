import type { MouseEvent } from 'react';
import { PAGES, type PageId } from '../pages.ts';

interface NavigationProps {
  current: PageId;
  onOpen(id: PageId): void;
}

export function Navigation({ current, onOpen }: NavigationProps) {
  function follow(event: MouseEvent<HTMLAnchorElement>, id: PageId) {
    // A modified click (new tab, new window) keeps the browser's own behaviour.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    onOpen(id);
  }

  return (
    <nav className="tabs" aria-label="Workspace">
      <ul className="tabs-list">
        {PAGES.map((page) => (
          <li key={page.id}>
            <a
              className="tab"
              href={page.path}
              aria-current={page.id === current ? 'page' : undefined}
              onClick={(event) => follow(event, page.id)}
            >
              {page.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
