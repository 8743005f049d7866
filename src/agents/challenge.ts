/**
 * AGT-02: what an agent signs to prove it holds its key. Domain-separated and bound to the
 * agent, so a signature made for anything else (or for another agent's challenge) is no
 * answer. The reference agent builds the same bytes.
 */
export function challengeMessage(agentId: string, nonce: string): Buffer {
  return Buffer.from(`enclave-agent-challenge:v1\n${agentId}\n${nonce}`, 'utf8');
}
