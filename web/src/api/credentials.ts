import type { EnclaveClient } from './client.ts';

export type CredentialKind = 'bearer' | 'header' | 'basic' | 'oauth_client';

export type CredentialSecret =
  | { kind: 'bearer'; token: string }
  | { kind: 'header'; header: string; value: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'oauth_client'; clientId: string; clientSecret: string; tokenUrl: string };

export interface CredentialScope {
  workflow: string;
  node?: string;
}

/** What the API says about a credential: never its secret. */
export interface Credential {
  id: string;
  name: string;
  kind: CredentialKind;
  preset: string | null;
  hint: string;
  scopes: CredentialScope[];
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface CredentialPreset {
  id: string;
  label: string;
  kind: CredentialKind;
  header?: string;
}

export interface NewCredential {
  name: string;
  preset?: string;
  secret: CredentialSecret;
  scopes: CredentialScope[];
}

export async function credentials(client: EnclaveClient): Promise<Credential[]> {
  return (await client.call<{ credentials: Credential[] }>('/credentials')).credentials;
}

export async function credentialPresets(client: EnclaveClient): Promise<CredentialPreset[]> {
  return (await client.call<{ presets: CredentialPreset[] }>('/credentials/presets')).presets;
}

export function createCredential(client: EnclaveClient, input: NewCredential): Promise<Credential> {
  return client.call<Credential>('/credentials', { method: 'POST', body: input });
}

export function updateCredential(client: EnclaveClient, id: string, patch: Partial<Pick<Credential, 'name' | 'scopes' | 'disabled'>>): Promise<Credential> {
  return client.call<Credential>(`/credentials/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch });
}

export function deleteCredential(client: EnclaveClient, id: string): Promise<void> {
  return client.call<void>(`/credentials/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
