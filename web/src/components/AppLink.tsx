import type { MouseEvent, ReactNode } from 'react';
import { type PageId, pageById } from '../pages.ts';

interface AppLinkProps {
  to: PageId;
  onOpen(id: PageId): void;
  className?: string;
  current?: boolean;
  children: ReactNode;
}

/** A real link to a dashboard page, opened in place; a modified click (new tab, new window) keeps the browser's own behaviour. */
export function AppLink({ to, onOpen, className, current = false, children }: AppLinkProps) {
  function follow(event: MouseEvent<HTMLAnchorElement>) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    onOpen(to);
  }

  return (
    <a className={className} href={pageById(to).path} aria-current={current ? 'page' : undefined} onClick={follow}>
      {children}
    </a>
  );
}
