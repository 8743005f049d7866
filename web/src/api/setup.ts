import { call } from './client.ts';
import type { Membership, User } from './types.ts';

export interface SetupInput {
  token: string;
  name: string;
  email: string;
  password: string;
  workspaceName: string;
}

/** True while the server has no account at all. */
export async function setupNeeded(): Promise<boolean> {
  return (await call<{ needed: boolean }>('/api/setup')).needed;
}

export function completeSetup(input: SetupInput): Promise<{ user: User; workspace: Membership }> {
  return call<{ user: User; workspace: Membership }>('/api/setup', { method: 'POST', body: input });
}
