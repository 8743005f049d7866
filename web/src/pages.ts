import { useCallback, useEffect, useState } from 'react';

/**
 * The dashboard's pages, each at its own path so a link or the back button lands on it.
 * `area` says who can see a page: the open workspace's tabs, the signed-in person's own
 * pages, or the pages for someone not signed in yet.
 */
export const PAGES = [
  { id: 'overview', path: '/', label: 'Overview', area: 'workspace' },
  { id: 'members', path: '/members', label: 'Members', area: 'workspace' },
  { id: 'api-keys', path: '/api-keys', label: 'API keys', area: 'workspace' },
  { id: 'credentials', path: '/credentials', label: 'Credentials', area: 'workspace' },
  { id: 'datasets', path: '/datasets', label: 'Datasets', area: 'workspace' },
  { id: 'agents', path: '/agents', label: 'Agents', area: 'workspace' },
  { id: 'ai-clients', path: '/ai-clients', label: 'AI clients', area: 'workspace' },
  { id: 'audit-log', path: '/audit-log', label: 'Audit log', area: 'workspace' },
  { id: 'alerts', path: '/alerts', label: 'Alerts', area: 'workspace' },
  { id: 'data-privacy', path: '/data-privacy', label: 'Data & privacy', area: 'workspace' },
  { id: 'security', path: '/security', label: 'Security', area: 'account' },
  { id: 'your-data', path: '/account/data', label: 'Your data', area: 'account' },
  { id: 'new-workspace', path: '/workspaces/new', label: 'New workspace', area: 'account' },
  { id: 'sign-in', path: '/sign-in', label: 'Sign in', area: 'signed-out' },
  { id: 'sign-up', path: '/sign-up', label: 'Create an account', area: 'signed-out' },
  { id: 'forgot-password', path: '/forgot-password', label: 'Reset your password', area: 'signed-out' },
  { id: 'sign-in-link', path: '/sign-in-link', label: 'Sign in with a link', area: 'signed-out' },
  // Where a mailed reset link lands (src/identity/password-reset.ts, RESET_PAGE_PATH).
  { id: 'reset-password', path: '/reset-password', label: 'Choose a new password', area: 'signed-out' },
  { id: 'connect', path: '/connect', label: 'Connect with an API key', area: 'signed-out' },
  // Development without SMTP only; App shows it whoever is signed in, since mails matter before and after.
  { id: 'dev-outbox', path: '/dev/outbox', label: 'Development outbox', area: 'signed-out' },
] as const;

export type Page = (typeof PAGES)[number];
export type PageId = Page['id'];
export type WorkspacePage = Extract<Page, { area: 'workspace' }>;

export const WORKSPACE_PAGES = PAGES.filter((page): page is WorkspacePage => page.area === 'workspace');
/** Where a workspace opens, and what a workspace view shows for a page that is not one of its tabs. */
export const OVERVIEW: WorkspacePage = PAGES[0];

export function pageById(id: PageId): Page {
  return PAGES.find((page) => page.id === id) ?? PAGES[0];
}

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

  const open = useCallback((id: PageId) => {
    const next = pageById(id);
    if (window.location.pathname !== next.path) window.history.pushState(null, '', next.path);
    setPage(next);
  }, []);

  return { page, open };
}

/**
 * Names the page that is actually on screen, which is not always the one in the address bar
 * (signed out at /members shows the sign-in form). Undefined leaves the title to a child that knows better.
 */
export function useDocumentTitle(label: string | undefined): void {
  useEffect(() => {
    if (label !== undefined) document.title = `${label} · Enclave`;
  }, [label]);
}
