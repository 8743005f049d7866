import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { newSecret } from '../core/tokens.ts';
import { challengeName, type TxtLookup } from './dns-challenge.ts';
import type { SsoDomain } from './schema.ts';
import { deleteDomain, findDomain, findVerifiedDomain, insertDomain, listConnections, listDomains, listVerifiedDomains, markDomainVerified, unverifyDomain, type DomainRow } from './store.ts';

export interface SsoDomainServiceDeps {
  controlDb: SqliteDatabase;
  lookupTxt: TxtLookup;
  workspaceAudit(workspaceId: string): AuditLog;
  now?: () => Date;
}

function toDomain(row: DomainRow): SsoDomain {
  return {
    domain: row.domain,
    txtName: challengeName(row.domain),
    txtValue: row.challenge,
    verifiedAt: row.verified_at,
    createdAt: row.created_at,
  };
}

/**
 * Domains a workspace claims for single sign-on (IDN-06). A claim counts only once a TXT
 * record holding its random challenge is seen at `_enclave-challenge.<domain>`: only whoever
 * runs the domain's DNS can publish it. One workspace at most holds a domain verified,
 * enforced by a unique index, so two racing verifications cannot both win.
 */
export class SsoDomainService {
  readonly #deps: SsoDomainServiceDeps;
  readonly #now: () => Date;

  constructor(deps: SsoDomainServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  list(workspaceId: string): SsoDomain[] {
    return listDomains(this.#deps.controlDb, workspaceId).map(toDomain);
  }

  /** A verified domain of this workspace; connections may only be bound to one. */
  verified(workspaceId: string, domain: string): boolean {
    return findDomain(this.#deps.controlDb, workspaceId, domain)?.verified_at != null;
  }

  async add(workspaceId: string, domain: string, meta: RequestMeta): Promise<SsoDomain> {
    const db = this.#deps.controlDb;
    if (findVerifiedDomain(db, domain)) throw domainTaken();
    const row: DomainRow = {
      workspace_id: workspaceId,
      domain,
      challenge: `enclave-domain-verification=${newSecret().secret}`,
      created_at: this.#now().toISOString(),
      verified_at: null,
    };
    if (!insertDomain(db, row)) throw new AppError(409, 'domain_exists', 'this workspace has already added that domain');
    await this.#audit(workspaceId, auditEvent(meta, 'sso.domain.add', { type: 'domain', id: domain }, { workspaceId }));
    return toDomain(row);
  }

  async verify(workspaceId: string, domain: string, meta: RequestMeta): Promise<SsoDomain> {
    const db = this.#deps.controlDb;
    const row = findDomain(db, workspaceId, domain);
    if (!row) throw domainNotFound();
    if (row.verified_at) return toDomain(row);
    const target = { type: 'domain', id: domain };
    const refuse = async (error: AppError) => {
      await this.#audit(workspaceId, auditEvent(meta, 'sso.domain.verify', target, { workspaceId, reason: error.code }, 'failure'));
      return error;
    };
    if (findVerifiedDomain(db, domain)) throw await refuse(domainTaken());
    const records = await this.#deps.lookupTxt(challengeName(domain));
    if (records === undefined) {
      throw await refuse(new AppError(424, 'dns_lookup_failed', `the TXT record at ${challengeName(domain)} could not be looked up; try again later`));
    }
    if (!records.includes(row.challenge)) {
      throw await refuse(new AppError(422, 'txt_record_not_found', `no TXT record at ${challengeName(domain)} holds this domain's challenge value`));
    }
    try {
      markDomainVerified(db, workspaceId, domain, this.#now().toISOString());
    } catch (error) {
      // The unique index on verified domains: another workspace verified it during our lookup.
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw await refuse(domainTaken());
      throw error;
    }
    await this.#audit(workspaceId, auditEvent(meta, 'sso.domain.verify', target, { workspaceId }));
    return toDomain(findDomain(db, workspaceId, domain)!);
  }

  /**
   * A verification holds only while the record stays published: a workspace whose owner
   * lost the domain (it lapsed, or the admin who set it up left) must not keep signing in
   * everyone at it. A failed lookup changes nothing; a lookup that finds no matching record
   * withdraws the verification. Returns the domains withdrawn.
   */
  async recheckAll(meta: RequestMeta): Promise<string[]> {
    const db = this.#deps.controlDb;
    const withdrawn: string[] = [];
    for (const row of listVerifiedDomains(db)) {
      const records = await this.#deps.lookupTxt(challengeName(row.domain));
      if (records === undefined || records.includes(row.challenge)) continue;
      unverifyDomain(db, row.workspace_id, row.domain);
      await this.#audit(row.workspace_id, auditEvent(meta, 'sso.domain.unverify', { type: 'domain', id: row.domain }, { workspaceId: row.workspace_id, reason: 'txt_record_not_found' }));
      withdrawn.push(`${row.workspace_id}:${row.domain}`);
    }
    return withdrawn;
  }

  async remove(workspaceId: string, domain: string, meta: RequestMeta): Promise<void> {
    const db = this.#deps.controlDb;
    if (!findDomain(db, workspaceId, domain)) throw domainNotFound();
    if (listConnections(db, workspaceId).some((connection) => connection.domain === domain)) {
      throw new AppError(409, 'domain_in_use', 'an SSO connection uses this domain; delete it first');
    }
    deleteDomain(db, workspaceId, domain);
    await this.#audit(workspaceId, auditEvent(meta, 'sso.domain.remove', { type: 'domain', id: domain }, { workspaceId }));
  }

  async #audit(workspaceId: string, event: Parameters<AuditLog['record']>[0]): Promise<void> {
    await this.#deps.workspaceAudit(workspaceId).record(event);
  }
}

function domainTaken(): AppError {
  return new AppError(409, 'domain_taken', 'another workspace has already verified that domain');
}

function domainNotFound(): AppError {
  return new AppError(404, 'domain_not_found', 'this workspace has not added that domain');
}
