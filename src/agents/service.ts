import { createPublicKey, randomBytes, verify } from 'node:crypto';
import type { Actor, RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditEventInput } from '../audit/event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { isId, newId } from '../core/ids.ts';
import { deriveWorkspaceKey } from '../core/keyring.ts';
import { hashToken, issueToken, tokenKind } from '../core/tokens.ts';
import { challengeMessage } from './challenge.ts';
import type { AccessToken, Agent, CreatePairingTokenInput, PairInput, PairingToken, TokenRequest } from './schema.ts';
import {
  consumePairingToken,
  deletePendingPairingToken,
  findAgent,
  insertAgent,
  insertPairingToken,
  listAgents,
  listPendingPairingTokens,
  putChallenge,
  revokeAgent,
  takeChallenge,
  touchAgent,
  type AgentRow,
  type PairingTokenRow,
} from './store.ts';
import { agentSigningKeys, claimedAgent, signAgentToken, verifyAgentToken } from './tokens.ts';

/** last_seen_at is a hint for people, not an audit record: write it at most once a minute per agent. */
const TOUCH_INTERVAL_MS = 60_000;

export interface AgentSettings {
  /** AGT-01: how long a pairing token works; 30 days at most. */
  pairingTokenSeconds: number;
  /** AGT-02: how long an agent access token works. */
  accessTokenSeconds: number;
  /** How long a challenge waits for its signed answer. */
  challengeSeconds: number;
}

export interface AgentServiceDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  workspaceAudit(workspaceId: string): AuditLog;
  workspaceExists(workspaceId: string): boolean;
  /** The workspace's unwrapped key seed, or undefined when it has none (deleted, shredded). */
  seedOf(workspaceId: string): Buffer | undefined;
  settings: AgentSettings;
  now?: () => Date;
}

export type AgentActor = Extract<Actor, { type: 'agent' }>;

function toPairingToken(row: PairingTokenRow): PairingToken {
  return { id: row.id, name: row.name, createdAt: row.created_at, expiresAt: row.expires_at };
}

function toAgent(row: AgentRow): Agent {
  return { id: row.id, name: row.name, pairedAt: row.paired_at, lastSeenAt: row.last_seen_at, revokedAt: row.revoked_at };
}

const authenticationFailed = () => new AppError(401, 'agent_authentication_failed', 'the challenge answer was not accepted: ask for a new challenge and sign it with the key this agent paired with');

/**
 * Paired agents (AGT-01, AGT-02): pairing tokens, the agents they admit, and the
 * challenge-response that gets an agent its short-lived access token. Every lookup that
 * authenticates reads the agent row afresh, so a revocation stops the very next request
 * and the next renewal.
 */
export class AgentService {
  readonly #deps: AgentServiceDeps;
  readonly #now: () => Date;

  constructor(deps: AgentServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  async createPairingToken(workspaceId: string, input: CreatePairingTokenInput, meta: RequestMeta): Promise<{ pairingToken: PairingToken; token: string }> {
    const now = this.#now();
    const issued = issueToken('enp');
    const row = {
      id: newId('apt'),
      workspace_id: workspaceId,
      name: input.name,
      token_hash: issued.hash,
      created_by: `${meta.actor.type}:${meta.actor.id}`,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + this.#deps.settings.pairingTokenSeconds * 1000).toISOString(),
    };
    insertPairingToken(this.#deps.controlDb, row);
    await this.#audit(workspaceId, auditEvent(meta, 'agent.pairing_token_create', { type: 'pairing_token', id: row.id }, { workspaceId, name: input.name, expiresAt: row.expires_at }));
    return { pairingToken: toPairingToken(row as PairingTokenRow), token: issued.token };
  }

  listPairingTokens(workspaceId: string): PairingToken[] {
    return listPendingPairingTokens(this.#deps.controlDb, workspaceId).map(toPairingToken);
  }

  async deletePairingToken(workspaceId: string, id: string, meta: RequestMeta): Promise<void> {
    if (!deletePendingPairingToken(this.#deps.controlDb, workspaceId, id)) {
      throw new AppError(404, 'pairing_token_not_found', 'no unused pairing token with that id in this workspace');
    }
    await this.#audit(workspaceId, auditEvent(meta, 'agent.pairing_token_delete', { type: 'pairing_token', id }, { workspaceId }));
  }

  /**
   * AGT-01: admits an agent with a pairing token, once. Unknown, used and expired tokens are
   * refused alike, so the answer says nothing about which tokens exist.
   */
  async pair(input: PairInput, meta: RequestMeta): Promise<{ agentId: string; workspaceId: string }> {
    try {
      createPublicKey({ key: { ...input.publicKey }, format: 'jwk' });
    } catch {
      throw new AppError(400, 'invalid_public_key', 'publicKey must be an Ed25519 public key as a JWK');
    }
    const agentId = newId('agt');
    const token = tokenKind(input.token) === 'enp' ? this.#admit(agentId, input) : undefined;
    if (!token) {
      await this.#deps.controlAudit.record(auditEvent(meta, 'agent.pair', { type: 'pairing_token', id: 'unknown' }, { reason: 'invalid_pairing_token' }, 'failure'));
      throw new AppError(401, 'invalid_pairing_token', 'the pairing token is not valid: it may be mistyped, already used or expired; ask an admin for a new one');
    }
    const agentMeta: RequestMeta = { ...meta, actor: { type: 'agent', id: agentId, workspaceId: token.workspace_id } };
    await this.#audit(token.workspace_id, auditEvent(agentMeta, 'agent.pair', { type: 'agent', id: agentId }, { workspaceId: token.workspace_id, name: input.name, pairingTokenId: token.id }));
    return { agentId, workspaceId: token.workspace_id };
  }

  /** Spends the token and records the agent in one transaction; undefined when the token does not admit anyone. */
  #admit(agentId: string, input: PairInput): PairingTokenRow | undefined {
    const db = this.#deps.controlDb;
    const at = this.#now().toISOString();
    return db
      .transaction(() => {
        const consumed = consumePairingToken(db, hashToken(input.token), agentId, at);
        if (!consumed || !this.#deps.workspaceExists(consumed.workspace_id)) return undefined;
        insertAgent(db, { id: agentId, workspace_id: consumed.workspace_id, name: input.name, public_key: input.publicKey.x, paired_at: at });
        return consumed;
      })
      .immediate();
  }

  list(workspaceId: string): Agent[] {
    return listAgents(this.#deps.controlDb, workspaceId).map(toAgent);
  }

  async revoke(workspaceId: string, agentId: string, meta: RequestMeta): Promise<void> {
    if (!revokeAgent(this.#deps.controlDb, workspaceId, agentId, this.#now().toISOString())) {
      throw new AppError(404, 'agent_not_found', 'no active agent with that id in this workspace');
    }
    await this.#audit(workspaceId, auditEvent(meta, 'agent.revoke', { type: 'agent', id: agentId }, { workspaceId }));
  }

  /**
   * AGT-02: a fresh nonce for the agent to sign. An unknown or revoked agent gets a nonce
   * too, one that is never stored, so the answer does not tell which agents are active.
   */
  challenge(agentId: string): { nonce: string; expiresAt: string } {
    const now = this.#now();
    const nonce = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.#deps.settings.challengeSeconds * 1000).toISOString();
    const agent = findAgent(this.#deps.controlDb, agentId);
    if (agent && !agent.revoked_at && this.#deps.workspaceExists(agent.workspace_id)) {
      putChallenge(this.#deps.controlDb, agentId, hashToken(nonce), expiresAt);
    }
    return { nonce, expiresAt };
  }

  /** AGT-02: the signed challenge, checked with the agent's public key, buys a short-lived access token. */
  async token(request: TokenRequest, meta: RequestMeta): Promise<AccessToken> {
    const now = this.#now();
    const db = this.#deps.controlDb;
    const fresh = takeChallenge(db, request.agentId, hashToken(request.nonce), now.toISOString());
    const agent = findAgent(db, request.agentId);
    if (!fresh || !agent || agent.revoked_at || !this.#deps.workspaceExists(agent.workspace_id)) throw authenticationFailed();
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: agent.public_key }, format: 'jwk' });
    const signature = Buffer.from(request.signature, 'base64url');
    if (!verify(null, challengeMessage(agent.id, request.nonce), publicKey, signature)) {
      const agentMeta: RequestMeta = { ...meta, actor: { type: 'agent', id: agent.id, workspaceId: agent.workspace_id } };
      await this.#deps.workspaceAudit(agent.workspace_id).record(auditEvent(agentMeta, 'agent.authenticate', { type: 'agent', id: agent.id }, { reason: 'bad_signature' }, 'failure'));
      throw authenticationFailed();
    }
    const keys = this.#signingKeys(agent.workspace_id);
    if (!keys) throw authenticationFailed();
    const seconds = this.#deps.settings.accessTokenSeconds;
    const accessToken = await signAgentToken(keys, { agentId: agent.id, workspaceId: agent.workspace_id, now, seconds });
    touchAgent(db, agent.id, now.toISOString());
    return { accessToken, tokenType: 'Bearer', expiresIn: seconds, workspaceId: agent.workspace_id };
  }

  /** The agent a presented access token stands for, or undefined for any token that must not work (AGT-02). */
  async authenticate(token: string): Promise<AgentActor | undefined> {
    const agentId = claimedAgent(token);
    if (agentId === undefined || !isId('agt', agentId)) return undefined;
    const agent = findAgent(this.#deps.controlDb, agentId);
    if (!agent || agent.revoked_at || !this.#deps.workspaceExists(agent.workspace_id)) return undefined;
    const keys = this.#signingKeys(agent.workspace_id);
    const now = this.#now();
    if (!keys || !(await verifyAgentToken(token, keys.publicKey, { agentId, workspaceId: agent.workspace_id, now }))) return undefined;
    // Read again after the await: a revocation that landed meanwhile still counts.
    if (findAgent(this.#deps.controlDb, agentId)?.revoked_at) return undefined;
    if (!agent.last_seen_at || now.getTime() - Date.parse(agent.last_seen_at) > TOUCH_INTERVAL_MS) touchAgent(this.#deps.controlDb, agentId, now.toISOString());
    return { type: 'agent', id: agentId, workspaceId: agent.workspace_id };
  }

  #signingKeys(workspaceId: string) {
    const seed = this.#deps.seedOf(workspaceId);
    return seed ? agentSigningKeys(deriveWorkspaceKey(seed, workspaceId, 'agent-signing')) : undefined;
  }

  async #audit(workspaceId: string, event: AuditEventInput): Promise<void> {
    await Promise.all([this.#deps.controlAudit.record(event), this.#deps.workspaceAudit(workspaceId).record(event)]);
  }
}
