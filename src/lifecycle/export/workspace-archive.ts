import type { AgentService } from '../../agents/service.ts';
import type { ApiKeyService } from '../../api-keys/service.ts';
import { listEvents, MAX_EVENT_PAGE } from '../../audit/store.ts';
import type { SqliteDatabase } from '../../core/database.ts';
import { DatasetService } from '../../datasets/service.ts';
import type { InvitationService } from '../../invitations/service.ts';
import type { MemberService } from '../../members/service.ts';
import type { MfaService } from '../../mfa/service.ts';
import type { ScimTokenService } from '../../scim/token-service.ts';
import type { SsoConnectionService } from '../../sso/connections.ts';
import type { SsoDomainService } from '../../sso/domains.ts';
import type { VaultService } from '../../vault/service.ts';
import type { WorkspaceHandle } from '../../workspaces/databases.ts';
import type { WorkspaceService } from '../../workspaces/service.ts';
import type { ArchiveWriter } from './archive.ts';
import { readme } from './format.ts';

/** The services a workspace archive reads; each lists metadata only where a secret exists (see format.ts). */
export interface WorkspaceSources {
  workspaces: Pick<WorkspaceService, 'get' | 'profile'>;
  members: Pick<MemberService, 'list'>;
  invitations: Pick<InvitationService, 'list'>;
  apiKeys: Pick<ApiKeyService, 'list'>;
  agents: Pick<AgentService, 'list' | 'listPairingTokens'>;
  scimTokens: Pick<ScimTokenService, 'list'>;
  vault: Pick<VaultService, 'list'>;
  mfa: Pick<MfaService, 'requiredIn'>;
  ssoDomains: Pick<SsoDomainService, 'list'>;
  ssoConnections: Pick<SsoConnectionService, 'list'>;
  /** The configured public origin, for connections' redirect and ACS URLs; empty leaves them relative. */
  publicOrigin: string;
}

/** Rows per page read from a dataset; the service's own bound. */
const ROW_PAGE = 1000;

/**
 * Writes every file of a workspace archive. Datasets and the audit log, the only parts that
 * grow without bound, are read from `snapshot`, a read-only connection inside one read
 * transaction, so their two passes (see ArchiveWriter) see the same rows.
 */
export async function writeWorkspaceArchive(
  writer: ArchiveWriter,
  sources: WorkspaceSources,
  workspaceId: string,
  snapshot: SqliteDatabase,
  handle: WorkspaceHandle,
): Promise<void> {
  // A DatasetService over the snapshot connection: the rows come out exactly as the API shows
  // them (values.ts), and it never writes here, so the handle's audit log stays unused.
  const datasets = new DatasetService({ workspace: () => ({ db: snapshot, audit: handle.audit }), readOnly: () => snapshot });
  const workspace = sources.workspaces.get(workspaceId);
  const profile = sources.workspaces.profile(workspaceId);

  await writer.addText('README.txt', readme('workspace'));
  await writer.addLines('workspace.jsonl', () => [
    {
      id: workspace.id,
      name: workspace.name,
      createdAt: workspace.createdAt,
      displayName: profile.displayName,
      description: profile.description,
      requireMfa: sources.mfa.requiredIn(workspaceId),
    },
  ]);
  const all = datasets.list(workspaceId);
  await writer.addLines('datasets.jsonl', () =>
    all.map((dataset) => ({
      name: dataset.name,
      columns: dataset.columns,
      primaryKey: dataset.primaryKey,
      rowCount: dataset.rowCount,
      createdAt: dataset.createdAt,
      updatedAt: dataset.updatedAt,
      file: `datasets/${dataset.name}.jsonl`,
    })),
  );
  for (const dataset of all) {
    // The owner's own data: whole values, sensitive columns included (LOG-05 masks them only for roles without datasets:reveal).
    await writer.addLines(`datasets/${dataset.name}.jsonl`, function* () {
      let cursor: string | undefined;
      do {
        const page = datasets.rows(workspaceId, dataset.name, { limit: ROW_PAGE, cursor }, { reveal: true });
        yield* page.rows;
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
    });
  }
  await writer.addLines('members.jsonl', () =>
    sources.members.list(workspaceId).map((member) => ({ id: member.userId, email: member.email, name: member.name, role: member.role, joinedAt: member.createdAt })),
  );
  const invitations = sources.invitations.list(workspaceId);
  await writer.addLines('invitations.jsonl', () => invitations);
  const apiKeys = sources.apiKeys.list(workspaceId);
  await writer.addLines('api-keys.jsonl', () => apiKeys);
  const agents = sources.agents.list(workspaceId);
  await writer.addLines('agents.jsonl', () => agents);
  const pairingTokens = sources.agents.listPairingTokens(workspaceId);
  await writer.addLines('pairing-tokens.jsonl', () => pairingTokens);
  const scimTokens = sources.scimTokens.list(workspaceId);
  await writer.addLines('scim-tokens.jsonl', () => scimTokens);
  const credentials = sources.vault.list(workspaceId);
  await writer.addLines('credentials.jsonl', () => credentials);
  const domains = sources.ssoDomains.list(workspaceId);
  await writer.addLines('sso-domains.jsonl', () => domains);
  const connections = sources.ssoConnections.list(workspaceId, sources.publicOrigin);
  await writer.addLines('sso-connections.jsonl', () => connections);
  await writer.addLines('audit-log.jsonl', () => auditEvents(snapshot));
}

function* auditEvents(db: SqliteDatabase): Generator<unknown> {
  let afterSeq = 0;
  for (;;) {
    const page = listEvents(db, { afterSeq, limit: MAX_EVENT_PAGE });
    yield* page;
    if (page.length < MAX_EVENT_PAGE) return;
    afterSeq = page.at(-1)!.seq;
  }
}
