import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { AeadError } from '../core/aead.ts';
import { open, seal } from './envelope.ts';
import { checkPreset } from './presets.ts';
import type { CreateCredential, Credential, CredentialKind, CredentialScope, Secret, UpdateCredential } from './schema.ts';
import { deleteCredential, findCredential, insertCredential, listCredentials, updateCredential, type CredentialRow } from './store.ts';

export interface VaultDeps {
  workspace(workspaceId: string): { db: SqliteDatabase; audit: AuditLog };
  /** The workspace's vault key (HKDF of its seed), by version. */
  vaultKey(workspaceId: string, version: number): Buffer;
  /** CRY-03: the vault key version new secrets are sealed under (after `enclave rotate-keys`); 1 when not given. */
  keyVersion?(workspaceId: string): number;
  now?: () => Date;
}

const notFound = () => new AppError(404, 'credential_not_found', 'no credential with that id in this workspace');

/** The characters a person recognises a secret by: the last four, and only of a secret long enough to spare them. */
function hintOf(secret: Secret): string {
  const main = secret.kind === 'bearer' ? secret.token : secret.kind === 'header' ? secret.value : secret.kind === 'basic' ? secret.password : secret.clientSecret;
  return main.length >= 16 ? `…${main.slice(-4)}` : '…';
}

/** Scopes in one order, so the same set always gives the same associated data. */
function canonicalScopes(scopes: readonly CredentialScope[]): CredentialScope[] {
  const key = (scope: CredentialScope) => `${scope.workflow}\u0000${scope.node ?? ''}`;
  const unique = new Map(scopes.map((scope) => [key(scope), scope.node === undefined ? { workflow: scope.workflow } : scope]));
  return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, scope]) => scope);
}

/** VLT-01: the wrapped data key is bound to workspace and credential; the secret also to its scope. */
export function contexts(workspaceId: string, credentialId: string, scopes: string) {
  return {
    key: Buffer.from(`enclave:vault:data-key:v1\u0000${workspaceId}\u0000${credentialId}`),
    data: Buffer.from(`enclave:vault:secret:v1\u0000${workspaceId}\u0000${credentialId}\u0000${scopes}`),
  };
}

function workflowContexts(workspaceId: string, workflowId: string) {
  return {
    key: Buffer.from(`enclave:vault:workflow-data-key:v1\u0000${workspaceId}\u0000${workflowId}`),
    data: Buffer.from(`enclave:vault:workflow-webhook-secret:v1\u0000${workspaceId}\u0000${workflowId}`),
  };
}

function toCredential(row: CredentialRow): Credential {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as CredentialKind,
    preset: row.preset,
    hint: row.hint,
    scopes: JSON.parse(row.scopes) as CredentialScope[],
    disabled: row.disabled_at !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The credential vault (VLT-01, VLT-03): third-party secrets sealed with envelope
 * encryption in the workspace's own encrypted database. No method returns a secret; the
 * workflow runtime will be the only reader, for the nodes a credential is scoped to.
 */
export class VaultService {
  readonly #deps: VaultDeps;
  readonly #now: () => Date;

  constructor(deps: VaultDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  list(workspaceId: string): Credential[] {
    return listCredentials(this.#deps.workspace(workspaceId).db).map(toCredential);
  }

  get(workspaceId: string, credentialId: string): Credential {
    const row = findCredential(this.#deps.workspace(workspaceId).db, credentialId);
    if (!row) throw notFound();
    return toCredential(row);
  }

  async create(workspaceId: string, input: CreateCredential, meta: RequestMeta): Promise<Credential> {
    checkPreset(input.preset, input.secret);
    const { db, audit } = this.#deps.workspace(workspaceId);
    const id = newId('cred');
    const at = this.#now().toISOString();
    const scopes = JSON.stringify(canonicalScopes(input.scopes));
    const row: CredentialRow = {
      id,
      name: input.name,
      kind: input.secret.kind,
      preset: input.preset ?? null,
      hint: hintOf(input.secret),
      scopes,
      ...this.#seal(workspaceId, id, scopes, input.secret),
      disabled_at: null,
      created_at: at,
      updated_at: at,
    };
    insertCredential(db, row);
    await audit.record(auditEvent(meta, 'credential.create', { type: 'credential', id }, { name: input.name, kind: row.kind, preset: row.preset, scopes: JSON.parse(scopes) }));
    return toCredential(row);
  }

  /** Renaming, re-scoping and disabling. A new scope re-seals the secret, since the scope is part of its associated data. */
  async update(workspaceId: string, credentialId: string, patch: UpdateCredential, meta: RequestMeta): Promise<Credential> {
    const { db, audit } = this.#deps.workspace(workspaceId);
    const row = findCredential(db, credentialId);
    if (!row) throw notFound();
    const next: CredentialRow = { ...row, updated_at: this.#now().toISOString() };
    if (patch.name !== undefined) next.name = patch.name;
    if (patch.disabled !== undefined) next.disabled_at = patch.disabled ? (row.disabled_at ?? next.updated_at) : null;
    if (patch.scopes !== undefined) {
      next.scopes = JSON.stringify(canonicalScopes(patch.scopes));
      Object.assign(next, this.#seal(workspaceId, row.id, next.scopes, await this.#openOrRefuse(workspaceId, row, meta)));
    }
    updateCredential(db, next);
    await audit.record(auditEvent(meta, 'credential.update', { type: 'credential', id: row.id }, { fields: Object.keys(patch), ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}) }));
    return toCredential(next);
  }

  async replaceSecret(workspaceId: string, credentialId: string, secret: Secret, meta: RequestMeta): Promise<Credential> {
    const { db, audit } = this.#deps.workspace(workspaceId);
    const row = findCredential(db, credentialId);
    if (!row) throw notFound();
    checkPreset(row.preset ?? undefined, secret);
    const next: CredentialRow = { ...row, kind: secret.kind, hint: hintOf(secret), ...this.#seal(workspaceId, row.id, row.scopes, secret), updated_at: this.#now().toISOString() };
    updateCredential(db, next);
    await audit.record(auditEvent(meta, 'credential.replace_secret', { type: 'credential', id: row.id }, { kind: secret.kind }));
    return toCredential(next);
  }

  async delete(workspaceId: string, credentialId: string, meta: RequestMeta): Promise<void> {
    const { db, audit } = this.#deps.workspace(workspaceId);
    if (!deleteCredential(db, credentialId)) throw notFound();
    await audit.record(auditEvent(meta, 'credential.delete', { type: 'credential', id: credentialId }));
  }

  /**
   * Proves the stored secret still opens (after a restore or a key rotation, say) without
   * revealing it. A secret that was altered, or copied from another credential or
   * workspace, fails here exactly as it would when a workflow tried to use it.
   */
  async check(workspaceId: string, credentialId: string, meta: RequestMeta): Promise<{ intact: true }> {
    const row = findCredential(this.#deps.workspace(workspaceId).db, credentialId);
    if (!row) throw notFound();
    await this.#openOrRefuse(workspaceId, row, meta);
    return { intact: true };
  }

  /**
   * VLT-02, VLT-04: the one way a secret leaves the vault, for the workflow runner. Only a
   * node the credential is scoped to gets it (a scope names the workflow by id or name, and
   * optionally the node); a disabled or deleted credential is refused at the moment of use,
   * so revoking takes effect on the next step. Refusals are audited.
   */
  async openForNode(workspaceId: string, credentialId: string, use: { workflowId: string; workflowName: string; node: string }, meta: RequestMeta): Promise<Secret> {
    const { db, audit } = this.#deps.workspace(workspaceId);
    const row = findCredential(db, credentialId);
    const refuse = async (code: string, message: string) => {
      await audit.record(auditEvent(meta, 'credential.use', { type: 'credential', id: credentialId }, { workflowId: use.workflowId, node: use.node, reason: code }, 'failure'));
      return new AppError(409, code, message);
    };
    if (!row) throw await refuse('credential_not_found', 'the node names a credential that does not exist');
    if (row.disabled_at !== null) throw await refuse('credential_disabled', 'the credential is disabled');
    const scopes = JSON.parse(row.scopes) as CredentialScope[];
    const allowed = scopes.some((scope) => (scope.workflow === use.workflowId || scope.workflow === use.workflowName) && (scope.node === undefined || scope.node === use.node));
    if (!allowed) throw await refuse('credential_out_of_scope', 'the credential is not scoped to this workflow node');
    return this.#openOrRefuse(workspaceId, row, meta);
  }

  /** WEB-07: a workflow's webhook signing secret, sealed under the vault key and bound to its workspace and workflow. */
  sealWorkflowSecret(workspaceId: string, workflowId: string, secret: string): { keyVersion: number; wrappedKey: Buffer; ciphertext: Buffer } {
    const version = this.#deps.keyVersion?.(workspaceId) ?? 1;
    const sealed = seal(this.#deps.vaultKey(workspaceId, version), workflowContexts(workspaceId, workflowId), Buffer.from(secret, 'utf8'));
    return { keyVersion: version, ...sealed };
  }

  openWorkflowSecret(workspaceId: string, workflowId: string, sealed: { keyVersion: number; wrappedKey: Buffer; ciphertext: Buffer }): string {
    return open(this.#deps.vaultKey(workspaceId, sealed.keyVersion), workflowContexts(workspaceId, workflowId), sealed).toString('utf8');
  }

  /** A secret that was altered or copied from another credential or workspace is refused, audited, never a 500. */
  async #openOrRefuse(workspaceId: string, row: CredentialRow, meta: RequestMeta): Promise<Secret> {
    try {
      return this.#open(workspaceId, row);
    } catch (error) {
      if (!(error instanceof AeadError)) throw error;
      await this.#deps.workspace(workspaceId).audit.record(auditEvent(meta, 'credential.check', { type: 'credential', id: row.id }, {}, 'failure'));
      throw new AppError(409, 'credential_unreadable', 'the stored secret does not decrypt: it was altered or copied from elsewhere; replace it');
    }
  }

  #seal(workspaceId: string, credentialId: string, scopes: string, secret: Secret): { key_version: number; wrapped_key: Buffer; ciphertext: Buffer } {
    const version = this.#deps.keyVersion?.(workspaceId) ?? 1;
    const sealed = seal(this.#deps.vaultKey(workspaceId, version), contexts(workspaceId, credentialId, scopes), Buffer.from(JSON.stringify(secret)));
    return { key_version: version, wrapped_key: sealed.wrappedKey, ciphertext: sealed.ciphertext };
  }

  #open(workspaceId: string, row: CredentialRow): Secret {
    const plain = open(this.#deps.vaultKey(workspaceId, row.key_version), contexts(workspaceId, row.id, row.scopes), { wrappedKey: row.wrapped_key, ciphertext: row.ciphertext });
    return JSON.parse(plain.toString('utf8')) as Secret;
  }
}
