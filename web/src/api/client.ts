import { ApiError } from './api-error.ts';
import { openDownload } from './download.ts';
import type {
  ApiKey,
  Member,
  AuditEventPage,
  AuditFacets,
  AuditFilter,
  AuditVerification,
  CreatedApiKey,
  Health,
  Invitation,
  Membership,
  NewApiKey,
  Profile,
  ProfileUpdate,
  Role,
  Workspace,
} from './types.ts';

/**
 * Which workspace to act on, and how. Without `apiKey` the browser's session cookie speaks for
 * the signed-in person; with one, the key does (it lives only in memory, never in browser storage).
 */
export interface Connection {
  workspaceId: string;
  apiKey?: string;
}

interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  apiKey?: string | undefined;
}

export async function call<T>(path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.apiKey !== undefined) headers.authorization = `Bearer ${options.apiKey}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    headers,
    // A key speaks alone: a session cookie riding along would blur whose request this is.
    credentials: options.apiKey === undefined ? 'same-origin' : 'omit',
    cache: 'no-store',
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  if (!response.ok) throw await ApiError.fromResponse(response);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export function fetchHealth(): Promise<Health> {
  return call<Health>('/healthz');
}

/** The signed-in person accepts a mailed invitation and gets the workspace they joined, with their role in it. */
export function acceptInvitation(token: string): Promise<Membership> {
  return call<Membership>('/api/invitations/accept', { method: 'POST', body: { token } });
}

/** The workspace API, bound to one connection. */
export class EnclaveClient {
  readonly workspaceId: string;
  readonly #apiKey: string | undefined;
  readonly #onUnauthorized: (error: ApiError) => void;
  readonly #onMfaRequired: (error: ApiError) => void;

  /**
   * `onUnauthorized` hears about a key or session that stopped working (revoked, expired, ended) mid-use;
   * `onMfaRequired` about a workspace that requires two-factor authentication the person has not set up (IDN-05).
   */
  constructor(connection: Connection, onUnauthorized: (error: ApiError) => void = () => {}, onMfaRequired: (error: ApiError) => void = () => {}) {
    this.workspaceId = connection.workspaceId;
    this.#apiKey = connection.apiKey;
    this.#onUnauthorized = onUnauthorized;
    this.#onMfaRequired = onMfaRequired;
  }

  /** True when an API key speaks for this client, false when the signed-in person's session does. */
  get actsWithKey(): boolean {
    return this.#apiKey !== undefined;
  }

  workspace(): Promise<Workspace> {
    return this.#call<Workspace>('');
  }

  profile(): Promise<Profile> {
    return this.#call<Profile>('/profile');
  }

  updateProfile(update: ProfileUpdate): Promise<Profile> {
    return this.#call<Profile>('/profile', { method: 'PATCH', body: update });
  }

  async apiKeys(): Promise<ApiKey[]> {
    return (await this.#call<{ apiKeys: ApiKey[] }>('/api-keys')).apiKeys;
  }

  /** The key this connection uses: its id and role, never its secret. */
  currentKey(): Promise<ApiKey> {
    return this.#call<ApiKey>('/api-keys/current');
  }

  createApiKey(key: NewApiKey): Promise<CreatedApiKey> {
    return this.#call<CreatedApiKey>('/api-keys', { method: 'POST', body: key });
  }

  revokeApiKey(keyId: string): Promise<void> {
    return this.#call<void>(`/api-keys/${encodeURIComponent(keyId)}`, { method: 'DELETE' });
  }

  async members(): Promise<Member[]> {
    return (await this.#call<{ members: Member[] }>('/members')).members;
  }

  changeRole(userId: string, role: Role): Promise<Member> {
    return this.#call<Member>(`/members/${encodeURIComponent(userId)}`, { method: 'PATCH', body: { role } });
  }

  removeMember(userId: string): Promise<void> {
    return this.#call<void>(`/members/${encodeURIComponent(userId)}`, { method: 'DELETE' });
  }

  async invitations(): Promise<Invitation[]> {
    return (await this.#call<{ invitations: Invitation[] }>('/invitations')).invitations;
  }

  invite(email: string, role: Role): Promise<Invitation> {
    return this.#call<Invitation>('/invitations', { method: 'POST', body: { email, role } });
  }

  revokeInvitation(invitationId: string): Promise<void> {
    return this.#call<void>(`/invitations/${encodeURIComponent(invitationId)}`, { method: 'DELETE' });
  }

  auditEvents(page: { after?: number; limit: number }, filter: AuditFilter): Promise<AuditEventPage> {
    const query = new URLSearchParams({ limit: String(page.limit) });
    if (page.after !== undefined) query.set('after', String(page.after));
    for (const [name, value] of Object.entries(filter)) if (value !== '') query.set(name, value);
    return this.#call<AuditEventPage>(`/audit-events?${query.toString()}`);
  }

  auditFacets(): Promise<AuditFacets> {
    return this.#call<AuditFacets>('/audit-events/facets');
  }

  auditVerification(): Promise<AuditVerification> {
    return this.#call<AuditVerification>('/audit-events/verification');
  }

  /** DAT-01: starts this workspace's export; the caller reads the streamed tar (see download.ts). */
  async openExport(): Promise<Response> {
    try {
      return await openDownload(`/api/w/${encodeURIComponent(this.workspaceId)}/export`, this.#apiKey);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.#onUnauthorized(error);
      throw error;
    }
  }

  /** A call to this workspace's API for feature modules (see credentials.ts), with the same error handling as the methods here. */
  call<T>(path: string, options: Omit<CallOptions, 'apiKey'> = {}): Promise<T> {
    return this.#call<T>(path, options);
  }

  async #call<T>(path: string, options: CallOptions = {}): Promise<T> {
    try {
      return await call<T>(`/api/w/${encodeURIComponent(this.workspaceId)}${path}`, { ...options, apiKey: this.#apiKey });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.#onUnauthorized(error);
      if (error instanceof ApiError && error.code === 'mfa_required') this.#onMfaRequired(error);
      throw error;
    }
  }
}
