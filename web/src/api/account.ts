import { ApiError } from './api-error.ts';
import { call } from './client.ts';
import type { Membership, SessionSummary, User } from './types.ts';

/** Password rules the server enforces on sign-up (src/identity/schema.ts), checked here too so the message is instant. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

export interface SignUpInput {
  name: string;
  email: string;
  password: string;
  /** The solved proof-of-work challenge (WEB-06), from the form's ALTCHA widget. */
  altcha: string;
}

/** A sign-in that owes its second factor names the ways the server offers to give it. */
export type SignInResult = { state: 'signed-in'; user: User } | { state: 'second-factor'; methods: readonly string[] };

const DEFAULT_METHODS = ['totp', 'backup_code'];

function offeredMethods(body: unknown): readonly string[] {
  const methods = (body as { methods?: unknown } | null)?.methods;
  return Array.isArray(methods) ? methods.filter((method): method is string => typeof method === 'string') : DEFAULT_METHODS;
}

/** Error codes by which the server may ask for a second factor instead of refusing the sign-in. */
const SECOND_FACTOR_CODES = new Set(['mfa_required', 'two_factor_required']);

function asksForSecondFactor(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const flags = body as { mfaRequired?: unknown; twoFactorRequired?: unknown; twoFactorRedirect?: unknown };
  return flags.mfaRequired === true || flags.twoFactorRequired === true || flags.twoFactorRedirect === true;
}

export function signUp(input: SignUpInput): Promise<void> {
  return call<void>('/api/auth/sign-up/email', { method: 'POST', body: input });
}

export async function signIn(email: string, password: string): Promise<SignInResult> {
  try {
    const body = await call<{ user?: User }>('/api/auth/sign-in/email', { method: 'POST', body: { email, password } });
    if (asksForSecondFactor(body) || !body.user) return { state: 'second-factor', methods: offeredMethods(body) };
    return { state: 'signed-in', user: body.user };
  } catch (error) {
    if (error instanceof ApiError && SECOND_FACTOR_CODES.has(error.code)) return { state: 'second-factor', methods: DEFAULT_METHODS };
    throw error;
  }
}

export function signOut(): Promise<void> {
  return call<void>('/api/auth/sign-out', { method: 'POST' });
}

export function currentSession(): Promise<{ user: User; session: SessionSummary }> {
  return call<{ user: User; session: SessionSummary }>('/api/auth/session');
}

export async function sessions(): Promise<SessionSummary[]> {
  return (await call<{ sessions: SessionSummary[] }>('/api/auth/sessions')).sessions;
}

export function endSession(sessionId: string): Promise<void> {
  return call<void>(`/api/auth/sessions/${encodeURIComponent(sessionId)}`, { method: 'DELETE' });
}

export async function endOtherSessions(): Promise<number> {
  return (await call<{ ended: number }>('/api/auth/sessions/revoke-others', { method: 'POST' })).ended;
}

export async function workspaces(): Promise<Membership[]> {
  return (await call<{ workspaces: Membership[] }>('/api/workspaces')).workspaces;
}

export function createWorkspace(name: string): Promise<Membership> {
  return call<Membership>('/api/workspaces', { method: 'POST', body: { name } });
}
