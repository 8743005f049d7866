import type { TestServer } from '../helpers/server.ts';
import { newAgentKey } from './agent.ts';

const operator = { actor: { type: 'operator' as const, id: 'fixtures' } };

/** A dataset, a paired agent and a pending pairing token in the workspace, for routes whose paths name one. */
export async function agentTargets(enclave: TestServer, workspaceId: string): Promise<{ name: string; agentId: string; pairingTokenId: string }> {
  const platform = enclave.server.platform;
  await platform.datasets.create(workspaceId, { name: 'target', columns: [{ name: 'id', type: 'integer', nullable: false }], primaryKey: ['id'] }, operator);
  const { token } = await platform.agents.createPairingToken(workspaceId, { name: 'target' }, operator);
  const { agentId } = await platform.agents.pair({ token, publicKey: newAgentKey().jwk as never, name: 'target' }, operator);
  const pending = await platform.agents.createPairingToken(workspaceId, { name: 'pending' }, operator);
  return { name: 'target', agentId, pairingTokenId: pending.pairingToken.id };
}
