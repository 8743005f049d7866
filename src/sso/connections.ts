import { X509Certificate } from 'node:crypto';
import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { Role } from '../access/permissions.ts';
import type { AuditLog } from '../audit/log.ts';
import type { SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { SsoDomainService } from './domains.ts';
import type { CreateConnection, SsoConnection } from './schema.ts';
import type { ConnectionSecretBox } from './secret-box.ts';
import { deleteConnection, findConnection, findConnectionForDomain, insertConnection, listConnections, type ConnectionRow } from './store.ts';

interface OidcSettings {
  issuer: string;
  clientId: string;
}

interface SamlSettings {
  idpEntityId: string;
  ssoUrl: string;
  idpCertificateSha256: string;
}

/** A connection with its sealed value opened, for the sign-in path only; never serialised to a client. */
export type UsableConnection =
  | { id: string; workspaceId: string; domain: string; defaultRole: Role; protocol: 'oidc'; issuer: string; clientId: string; clientSecret: string }
  | { id: string; workspaceId: string; domain: string; defaultRole: Role; protocol: 'saml'; idpEntityId: string; ssoUrl: string; idpCertificate: string };

/** The URLs Enclave answers on for a connection, given the origin browsers reach it at. */
export function serviceProviderUrls(origin: string, connectionId: string) {
  return {
    oidcRedirectUri: `${origin}/api/auth/sso/oidc/callback`,
    samlEntityId: `${origin}/api/auth/sso/saml/${connectionId}/metadata`,
    samlAcsUrl: `${origin}/api/auth/sso/saml/${connectionId}/acs`,
  };
}

export interface SsoConnectionServiceDeps {
  controlDb: SqliteDatabase;
  domains: Pick<SsoDomainService, 'verified'>;
  secrets: ConnectionSecretBox;
  /** False once a workspace is deleted: its connections sign no one in, and its sealed values no longer open. */
  workspaceExists(workspaceId: string): boolean;
  workspaceAudit(workspaceId: string): AuditLog;
  /** See sso.allowLoopbackIssuers in config.ts. */
  allowLoopbackIssuers: boolean;
  now?: () => Date;
}

/**
 * A workspace's identity providers (IDN-06), one per verified domain. What the IdP gave
 * (client secret, signing certificate) is sealed at creation and never returned: listings
 * show what to configure at the IdP and a certificate fingerprint, nothing more (VLT-03).
 */
export class SsoConnectionService {
  readonly #deps: SsoConnectionServiceDeps;
  readonly #now: () => Date;

  constructor(deps: SsoConnectionServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  list(workspaceId: string, origin: string): SsoConnection[] {
    return listConnections(this.#deps.controlDb, workspaceId).map((row) => toConnection(row, origin));
  }

  async create(workspaceId: string, domain: string, input: CreateConnection, origin: string, meta: RequestMeta): Promise<SsoConnection> {
    if (!this.#deps.domains.verified(workspaceId, domain)) {
      throw new AppError(409, 'domain_not_verified', 'verify the domain before connecting an identity provider to it');
    }
    if (input.protocol === 'oidc' && new URL(input.issuer).protocol !== 'https:' && !this.#deps.allowLoopbackIssuers) {
      throw new AppError(400, 'issuer_not_allowed', 'the issuer must be an https URL');
    }
    const id = newId('sso');
    const [settings, secret] =
      input.protocol === 'oidc'
        ? [{ issuer: input.issuer, clientId: input.clientId } satisfies OidcSettings, input.clientSecret]
        : [
            {
              idpEntityId: input.idpEntityId,
              ssoUrl: input.ssoUrl,
              idpCertificateSha256: new X509Certificate(input.idpCertificate).fingerprint256,
            } satisfies SamlSettings,
            input.idpCertificate,
          ];
    const row: ConnectionRow = {
      id,
      workspace_id: workspaceId,
      domain,
      protocol: input.protocol,
      settings: JSON.stringify(settings),
      secret_sealed: this.#deps.secrets.seal(workspaceId, id, secret),
      default_role: input.defaultRole,
      created_at: this.#now().toISOString(),
    };
    if (!insertConnection(this.#deps.controlDb, row)) {
      throw new AppError(409, 'connection_exists', 'this domain already has an SSO connection; delete it first');
    }
    await this.#deps.workspaceAudit(workspaceId).record(
      auditEvent(meta, 'sso.connection.create', { type: 'sso_connection', id }, { workspaceId, domain, protocol: input.protocol, defaultRole: input.defaultRole }),
    );
    return toConnection(row, origin);
  }

  async remove(workspaceId: string, connectionId: string, meta: RequestMeta): Promise<void> {
    const row = deleteConnection(this.#deps.controlDb, workspaceId, connectionId);
    if (!row) throw new AppError(404, 'connection_not_found', 'no SSO connection with that id in this workspace');
    await this.#deps.workspaceAudit(workspaceId).record(
      auditEvent(meta, 'sso.connection.delete', { type: 'sso_connection', id: connectionId }, { workspaceId, domain: row.domain, protocol: row.protocol }),
    );
  }

  /** The connection serving an address's domain, if that domain is verified and connected. */
  forDomain(domain: string): UsableConnection | undefined {
    const row = findConnectionForDomain(this.#deps.controlDb, domain);
    return row && this.#deps.workspaceExists(row.workspace_id) ? this.#usable(row) : undefined;
  }

  /** A connection by id, only while its domain is still verified. */
  byId(connectionId: string): UsableConnection | undefined {
    const row = findConnection(this.#deps.controlDb, connectionId);
    const usable = row && this.#deps.workspaceExists(row.workspace_id) && this.#deps.domains.verified(row.workspace_id, row.domain);
    return usable ? this.#usable(row) : undefined;
  }

  #usable(row: ConnectionRow): UsableConnection {
    const secret = this.#deps.secrets.open(row.workspace_id, row.id, row.secret_sealed);
    const base = { id: row.id, workspaceId: row.workspace_id, domain: row.domain, defaultRole: row.default_role as Role };
    if (row.protocol === 'oidc') {
      const settings = JSON.parse(row.settings) as OidcSettings;
      return { ...base, protocol: 'oidc', issuer: settings.issuer, clientId: settings.clientId, clientSecret: secret };
    }
    const settings = JSON.parse(row.settings) as SamlSettings;
    return { ...base, protocol: 'saml', idpEntityId: settings.idpEntityId, ssoUrl: settings.ssoUrl, idpCertificate: secret };
  }
}

function toConnection(row: ConnectionRow, origin: string): SsoConnection {
  const base = { id: row.id, domain: row.domain, defaultRole: row.default_role as SsoConnection['defaultRole'], createdAt: row.created_at };
  const urls = serviceProviderUrls(origin, row.id);
  if (row.protocol === 'oidc') {
    const settings = JSON.parse(row.settings) as OidcSettings;
    return { ...base, protocol: 'oidc', issuer: settings.issuer, clientId: settings.clientId, redirectUri: urls.oidcRedirectUri };
  }
  const settings = JSON.parse(row.settings) as SamlSettings;
  return {
    ...base,
    protocol: 'saml',
    idpEntityId: settings.idpEntityId,
    ssoUrl: settings.ssoUrl,
    idpCertificateSha256: settings.idpCertificateSha256,
    spEntityId: urls.samlEntityId,
    acsUrl: urls.samlAcsUrl,
  };
}
