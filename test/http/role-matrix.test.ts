import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLES, can, type Role } from '../../src/access/permissions.ts';
import type { WorkspaceRoute } from '../../src/http/workspace-scope.ts';
import { agentTargets } from '../agents/fixtures.ts';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.ts';
import { selfSignedCertificate } from '../helpers/saml-idp.ts';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { ssoTargets } from '../helpers/sso-fixtures.ts';

/**
 * ACC-01's role × route matrix, generated: the routes and their permissions come from the
 * running app (`app.workspaceRoutes`, recorded by the same onRoute hook that refuses a
 * workspace route without a permission), the expectations from `can()`. A route added later
 * is tried with every role, as a person and as a key, and with no credentials, without
 * touching this file — unless it takes a body, when the fixture below must be added.
 *
 * API keys: the gate treats a key exactly like a member holding the key's role, so no
 * workspace route is reserved to people; the matrix asserts just that (the workflow-only and
 * agent-only roles are kept off members:read by the catalogue, not by the actor's kind).
 */

/** A minimal valid body for every route that takes one, keyed by `METHOD url`; checked against the route's own schema. */
const BODIES: Record<string, unknown> = {
  // The workspace's name as the matrix creates it; people would also need their password, so keys get through.
  'DELETE /api/w/:workspaceId': { confirmName: 'Matrix DELETE /api/w/:workspaceId' },
  'PATCH /api/w/:workspaceId/profile': { description: 'matrix' },
  'PATCH /api/w/:workspaceId/members/:userId': { role: 'viewer' },
  // Never true: a workspace requiring MFA would answer 403 mfa_required to every person after it.
  'PATCH /api/w/:workspaceId/security': { requireMfa: false },
  // The lowest role a key can have, so the row tests the gate, not what role a manager may hand out.
  'POST /api/w/:workspaceId/api-keys': { name: 'matrix key', role: 'viewer' },
  'POST /api/w/:workspaceId/mcp/tokens': { name: 'matrix token', scopes: ['datasets:read'] },
  'POST /api/w/:workspaceId/invitations': { email: 'matrix-invitee@people.example', role: 'viewer' },
  'POST /api/w/:workspaceId/credentials': { name: 'matrix credential', secret: { kind: 'bearer', token: 'matrix-token' } },
  'PATCH /api/w/:workspaceId/credentials/:credentialId': { name: 'matrix credential' },
  'PUT /api/w/:workspaceId/credentials/:credentialId/secret': { secret: { kind: 'bearer', token: 'matrix-token-2' } },
  'POST /api/w/:workspaceId/sso/domains': { domain: 'matrix-new.test' },
  'POST /api/w/:workspaceId/scim/tokens': { name: 'matrix scim token' },
  'POST /api/w/:workspaceId/datasets': { name: 'matrix', columns: [{ name: 'id', type: 'integer' }], primaryKey: ['id'] },
  'POST /api/w/:workspaceId/datasets/:name/columns': { columns: [{ name: 'matrix', type: 'text' }] },
  'POST /api/w/:workspaceId/datasets/:name/batches': { batchId: 'matrix', upserts: [{ id: 1 }], deletes: [] },
  'POST /api/w/:workspaceId/agents/pairing-tokens': { name: 'matrix' },
  'POST /api/w/:workspaceId/workflows': { name: 'matrix workflow', definition: { trigger: { type: 'manual' }, nodes: [{ id: 'pick', type: 'transform', fields: { a: 'a' } }] } },
  'PATCH /api/w/:workspaceId/workflows/:workflowId': { enabled: true },
  'POST /api/w/:workspaceId/workflows/:workflowId/runs': { input: { a: 1 } },
  'PUT /api/w/:workspaceId/credits/budget': { monthlyLimit: null },
  'PUT /api/w/:workspaceId/credits/budget/members/:userId': { monthlyLimit: null },
  'POST /api/w/:workspaceId/sso/domains/:domain/connections': {
    protocol: 'oidc', issuer: 'https://idp.matrix.test', clientId: 'matrix', clientSecret: 'matrix-secret', defaultRole: 'viewer',
  },
};

/**
 * Routes that act for a person, so a key whose role the catalogue allows is still refused (with
 * this code): a personal MCP token is bound to the person who creates it (AIC-05).
 */
const PEOPLE_ONLY: Record<string, string> = { 'POST /api/w/:workspaceId/mcp/tokens': 'user_session_required' };

type ActorKind = 'anonymous' | 'session' | 'key';
interface Cell {
  route: string;
  role: Role | null;
  kind: ActorKind;
  status: number;
}

interface Person extends TestUser {
  cookie: string;
}

const isZod = (schema: unknown): schema is { safeParse(value: unknown): { success: boolean; error?: unknown } } =>
  typeof (schema as { safeParse?: unknown } | undefined)?.safeParse === 'function';

/** An alert on the workspace, raised the way the HTTP layer reports refused requests. */
function raiseProbeAlert(enclave: TestServer, workspaceId: string): string {
  const { alerts, config } = enclave.server.platform;
  for (let refusal = 0; refusal < config.alerts.workspaceRefusalsPerActor; refusal++) {
    alerts.observeWorkspaceRefusal({ actor: { type: 'operator', id: 'matrix-prober' }, ip: '127.0.0.1', workspaceId, status: 404, route: 'GET /matrix' });
  }
  return alerts.list(workspaceId)[0]!.id;
}

/** An AI client's grant held by the target person: managers may revoke it, other people only their own. */
async function grantTarget(enclave: TestServer, workspaceId: string, userId: string): Promise<string> {
  const grant = { grant_id: `matrix-${randomUUID()}`, workspace_id: workspaceId, user_id: userId, client_id: 'matrix-client', client_name: 'Matrix', scopes: 'datasets:read' };
  await enclave.server.platform.oauth.recordGrant(grant, { actor: { type: 'operator', id: 'matrix' } });
  return grant.grant_id;
}

/** A webhook-triggered workflow (so its secret can be rotated) with one run. */
async function workflowTargets(enclave: TestServer, workspaceId: string): Promise<{ workflowId: string; runId: string }> {
  const meta = { actor: { type: 'operator' as const, id: 'matrix' } };
  const definition = { trigger: { type: 'webhook' as const }, nodes: [{ id: 'pick', type: 'transform' as const, fields: { a: 'a' } }], edges: [] };
  const { workflow } = await enclave.server.platform.workflows.create(workspaceId, { name: 'matrix target', incognito: false, definition }, meta);
  const run = await enclave.server.platform.workflowRuns.start(workspaceId, workflow.id, { input: { a: 1 } }, 'manual', meta);
  return { workflowId: workflow.id, runId: run.id };
}

describe('the role × route matrix, generated from the permission catalogue', () => {
  let enclave: TestServer;
  /** Answers the TXT lookups that verify the SSO routes' domains (IDN-06). */
  let dns: TestDnsServer;
  const idpCertificate = selfSignedCertificate('Matrix IdP').certificate;
  let routes: readonly WorkspaceRoute[];
  const people = new Map<Role, Person>();
  let target: TestUser;
  const cells: Cell[] = [];

  beforeAll(async () => {
    dns = await startDnsServer();
    enclave = await startTestServer({
      rateLimit: { perIpPerMinute: 100_000, perActorPerMinute: 100_000, signInPerIpPerMinute: 1_000 },
      sso: { dnsServers: [dns.address], allowLoopbackIssuers: true },
    });
    routes = enclave.server.app.workspaceRoutes;
    for (const role of ROLES) {
      const user = await enclave.createUser(`Matrix ${role}`);
      people.set(role, { ...user, cookie: await enclave.signIn(user) });
    }
    target = await enclave.createUser('Matrix Target');
  });
  afterAll(async () => {
    await enclave.close();
    await dns.close();
  });

  it('[ACC-01] the app reports its workspace routes with their declared permissions', () => {
    expect(routes.length).toBeGreaterThanOrEqual(10);
    for (const route of routes) {
      expect(route.url.startsWith('/api/w/:workspaceId'), route.url).toBe(true);
      expect(Object.keys(PERMISSIONS), `${route.method} ${route.url}`).toContain(route.permission);
      expect(enclave.server.app.hasRoute({ method: route.method as 'GET', url: route.url }), `${route.method} ${route.url}`).toBe(true);
    }
    // Every permission in the catalogue guards at least one route, so every row of the matrix is exercised;
    // except those that shape an answer instead of allowing a route, each proven by its own tests.
    const shaping = new Set(['datasets:reveal']); // test/datasets/sensitive.test.ts
    expect(new Set(routes.map((route) => route.permission))).toEqual(new Set(Object.keys(PERMISSIONS).filter((permission) => !shaping.has(permission))));
    // Every route that takes a body has a fixture the route's own schema accepts.
    for (const route of routes.filter((candidate) => candidate.body !== undefined)) {
      const name = `${route.method} ${route.url}`;
      expect(BODIES, `no body fixture for new route ${name}: add one to BODIES`).toHaveProperty([name]);
      expect(isZod(route.body), `${name} body schema is not zod`).toBe(true);
      if (isZod(route.body)) expect(route.body.safeParse(BODIES[name]).success, `fixture for ${name} no longer fits its schema`).toBe(true);
    }
  });

  it('[ACC-01] every workspace route × every role (as a member session and as an API key) × no credentials answers as can() says', async () => {
    const failures: string[] = [];
    for (const route of routes) {
      const name = `${route.method} ${route.url}`;
      // A fresh workspace per route, so a state-changing call (remove member, revoke key) cannot disturb another row.
      const workspace = await enclave.createWorkspace(`Matrix ${name}`);
      const keys = new Map<Role, string>();
      for (const role of ROLES) {
        await enclave.addMember(workspace.id, people.get(role)!, role);
        keys.set(role, await enclave.addKey(workspace.id, role));
      }
      // Targets for the path's other ids: never one of the actors.
      await enclave.addMember(workspace.id, target, 'viewer');
      const targetKey = (await enclave.server.platform.apiKeys.create(workspace.id, { name: 'target', role: 'viewer' }, { actor: { type: 'operator', id: 'matrix' } })).apiKey.id;
      const targetInvitation = (
        await enclave.server.platform.invitations.create(workspace.id, { email: 'matrix-target@people.example', role: 'viewer' }, { actor: { type: 'operator', id: 'matrix' } }, { origin: enclave.url, log: () => {} })
      ).id;
      const params: Record<string, string> = {
        workspaceId: workspace.id,
        userId: target.id,
        keyId: targetKey,
        invitationId: targetInvitation,
        credentialId: (await enclave.server.platform.vault.create(workspace.id, { name: 'target', secret: { kind: 'bearer', token: 'target-token' }, scopes: [] }, { actor: { type: 'operator', id: 'matrix' } })).id,
        ...(await ssoTargets(enclave, dns, workspace.id, idpCertificate)),
        scimTokenId: (await enclave.server.platform.scim.tokens.create(workspace.id, { name: 'target' }, { actor: { type: 'operator', id: 'matrix' } })).scimToken.id,
        ...(await agentTargets(enclave, workspace.id)),
        alertId: raiseProbeAlert(enclave, workspace.id),
        grantId: await grantTarget(enclave, workspace.id, target.id),
        tokenId: (await enclave.server.platform.mcpTokens.create(workspace.id, target.id, { name: 'target', scopes: ['datasets:read'] }, { actor: { type: 'operator', id: 'matrix' } })).mcpToken.id,
        ...(await workflowTargets(enclave, workspace.id)),
      };
      const path = route.url.replace(/:(\w+)/g, (_match, param: string) => {
        if (!(param in params)) throw new Error(`${name}: no plausible value for :${param}; add one to the matrix's params`);
        return params[param]!;
      });
      if (route.body !== undefined && !(name in BODIES)) throw new Error(`no body fixture for new route ${name}: add one to BODIES`);
      const body = route.body === undefined ? undefined : BODIES[name];
      let succeeded = false;

      const errorCode = async (response: Response) =>
        route.method === 'HEAD' ? undefined : ((await response.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code;

      const anonymous = await enclave.request(route.method, path, { body });
      cells.push({ route: name, role: null, kind: 'anonymous', status: anonymous.status });
      const anonymousCode = await errorCode(anonymous);
      if (anonymous.status !== 401 || (anonymousCode !== undefined && anonymousCode !== 'unauthenticated')) {
        failures.push(`${name} with no credentials: ${anonymous.status} ${anonymousCode ?? ''}, want 401`);
      }

      // Denied roles first, so a route that destroys its target (deleting the workspace) meets them while it still exists.
      const order = [...ROLES].sort((a, b) => Number(can(a, route.permission)) - Number(can(b, route.permission)));
      for (const role of order) {
        for (const kind of ['session', 'key'] as const) {
          const credentials = kind === 'session' ? { cookie: people.get(role)!.cookie } : { token: keys.get(role)! };
          const response = await enclave.request(route.method, path, { ...credentials, body });
          const code = await errorCode(response);
          cells.push({ route: name, role, kind, status: response.status });
          const who = `${name} as ${role} ${kind}`;
          if (kind === 'key' && name in PEOPLE_ONLY && can(role, route.permission)) {
            if (response.status !== 403 || code !== PEOPLE_ONLY[name]) failures.push(`${who}: ${response.status} ${code ?? ''}, want 403 ${PEOPLE_ONLY[name]}`);
          } else if (can(role, route.permission)) {
            if (response.status === 401 || response.status === 403 || response.status >= 500) {
              failures.push(`${who}: ${response.status} ${code ?? ''}, but the catalogue allows ${route.permission}`);
            }
            if (response.status < 300) succeeded = true;
          } else if (response.status !== 403 || (code !== undefined && code !== 'forbidden')) {
            failures.push(`${who}: ${response.status} ${code ?? ''}, want 403 forbidden: the catalogue denies ${route.permission}`);
          }
        }
      }
      // The fixtures are good enough that some allowed actor actually gets through to a 2xx.
      if (!succeeded) failures.push(`${name}: no allowed actor got a 2xx; the path ids or body fixture are off`);
    }
    expect(failures).toEqual([]);

    // The matrix is complete: every collected route, every role, both actor kinds, and no credentials.
    expect(cells).toHaveLength(routes.length * (1 + ROLES.length * 2));
    expect(new Set(cells.map((cell) => cell.route))).toEqual(new Set(routes.map((route) => `${route.method} ${route.url}`)));
    for (const kind of ['session', 'key'] as const) {
      expect(new Set(cells.filter((cell) => cell.kind === kind).map((cell) => cell.role))).toEqual(new Set(ROLES));
    }
    expect(cells.filter((cell) => cell.kind === 'anonymous')).toHaveLength(routes.length);
    // Both outcomes occur, so the matrix is not trivially all-allowed or all-denied.
    expect(cells.some((cell) => cell.status === 403)).toBe(true);
    expect(cells.some((cell) => cell.status < 300)).toBe(true);
  });
});
