import { useCallback, useEffect, useState } from 'react';

/** The dashboard's pages, each at its own path so a link or the back button lands on it. */
export const PAGES = [
  { id: 'overview', path: '/', label: 'Overview' },
  { id: 'api-keys', path: '/api-keys', label: 'API keys' },
  { id: 'audit-log', path: '/audit-log', label: 'Audit log' },
] as const;

export type Page = (typeof PAGES)[number];
export type PageId = Page['id'];

function pageAt(pathname: string): Page {
  return PAGES.find((page) => page.path === pathname) ?? PAGES[0];
}

/** The current page, following the address bar; `open` moves to another page with history.pushState. */
export function useCurrentPage(): { page: Page; open(id: PageId): void } {
  const [page, setPage] = useState(() => pageAt(window.location.pathname));

  useEffect(() => {
    const follow = () => setPage(pageAt(window.location.pathname));
    window.addEventListener('popstate', follow);
    return () => window.removeEventListener('popstate', follow);
  }, []);

  useEffect(() => {
    document.title = `${page.label} · Enclave`;
  }, [page]);

  const open = useCallback((id: PageId) => {
    const next = PAGES.find((candidate) => candidate.id === id) ?? PAGES[0];
    if (window.location.pathname !== next.path) window.history.pushState(null, '', next.path);
    setPage(next);
  }, []);

  return { page, open };
}
