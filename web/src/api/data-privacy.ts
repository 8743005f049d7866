import { call } from './client.ts';
import { openDownload } from './download.ts';

/** DAT-01: everything Enclave holds about the signed-in person, as a streamed tar. */
export function openPersonalExport(): Promise<Response> {
  return openDownload('/api/me/export', undefined);
}

export interface ClosedAccount {
  status: 'closed';
  workspacesDeleted: string[];
  workspacesLeft: number;
}

/** DAT-03: closes the signed-in person's account; the server ends the session in the same answer. */
export function closeAccount(password: string, confirm: string): Promise<ClosedAccount> {
  return call<ClosedAccount>('/api/me/close', { method: 'POST', body: { password, confirm } });
}

export interface DeletedWorkspace {
  id: string;
  name: string;
  deletedAt: string;
  shredAfter: string;
}
