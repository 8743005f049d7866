import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspaceEvents } from '../identity/audit.ts';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';
import { createWorkflow, signedHeaders, startPeer, webhookCodeTransform, type RunBody } from './fixtures.ts';

describe('workflow credentials and webhook triggers', () => {
  let enclave: TestServer;
  let workspace: TestWorkspace;
  let peer: Awaited<ReturnType<typeof startPeer>>;
  const token = ['canary', 'vault', randomBytes(16).toString('hex')].join('-');

  beforeAll(async () => {
    // The peer listens on 127.0.0.1, so this deployment lets workflows reach private addresses.
    enclave = await startTestServer({ workflows: { allowPrivateAddresses: true } });
    workspace = await enclave.createWorkspace('Tools');
    peer = await startPeer();
  });
  afterAll(async () => {
    await peer.close();
    await enclave.close();
  });

  const api = (method: string, path: string, body?: unknown) => enclave.request(method, `/api/w/${workspace.id}${path}`, { token: workspace.token, body });
  const run = async (workflowId: string) => (await (await api('POST', `/workflows/${workflowId}/runs`, { input: { item: 'x y' } })).json()) as RunBody;

  async function credentialFor(scopes: { workflow: string; node?: string }[]): Promise<string> {
    const response = await api('POST', '/credentials', { name: `tool ${randomBytes(4).toString('hex')}`, secret: { kind: 'bearer', token }, scopes });
    return ((await response.json()) as { id: string }).id;
  }

  function httpWorkflow(name: string, credential: string, nodeIds: string[]) {
    return {
      name,
      definition: {
        trigger: { type: 'manual' },
        nodes: nodeIds.map((id) => ({ id, type: 'http', method: 'POST', url: `${peer.url}/items/{{item}}`, body: { item: '{{item}}', node: id }, credential, hosts: [peer.host] })),
        edges: nodeIds.slice(1).map((id, index) => ({ from: nodeIds[index]!, to: id })),
      },
    };
  }

  it('[VLT-02] only the node a credential is scoped to can use it; another node of the same workflow is refused and audited', async () => {
    const credential = await credentialFor([{ workflow: 'scoped', node: 'allowed' }]);
    const { workflow } = await createWorkflow(enclave, workspace, httpWorkflow('scoped', credential, ['allowed', 'intruder']));
    const before = peer.received.length;
    const result = await run(workflow.id);
    expect(result.status).toBe('failed');
    expect(result.steps.map((step) => [step.nodeId, step.status, step.errorCode])).toEqual([['allowed', 'succeeded', null], ['intruder', 'failed', 'credential_out_of_scope']]);
    expect(result.steps[0]!.httpRequests).toBe(1);
    expect(result.credits).toBe(3);
    const sent = peer.received.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers.authorization).toBe(`Bearer ${token}`);
    expect(sent[0]!.url).toBe('/items/x%20y');
    expect(JSON.parse(sent[0]!.body)).toEqual({ item: 'x y', node: 'allowed' });
    expect(JSON.stringify(result)).not.toContain(token);

    // A credential scoped to another workflow entirely is refused to every node here.
    const elsewhere = await credentialFor([{ workflow: 'some other workflow' }]);
    const { workflow: unscoped } = await createWorkflow(enclave, workspace, httpWorkflow('unscoped', elsewhere, ['only']));
    const refused = await run(unscoped.id);
    expect(refused.steps.map((step) => step.errorCode)).toEqual(['credential_out_of_scope']);
    expect(peer.received.length).toBe(before + 1);
    expect(workspaceEvents(enclave, workspace.id).some((event) => event.action === 'credential.use' && event.outcome === 'failure' && event.target_id === elsewhere)).toBe(true);
  });

  it('[VLT-04] a disabled credential fails the next run cleanly, and so does a deleted one', async () => {
    const { workflow } = await createWorkflow(enclave, workspace, httpWorkflow('revocable', await credentialFor([{ workflow: 'revocable' }]), ['call']));
    const credential = (((await (await api('GET', `/workflows/${workflow.id}`)).json()) as { definition: { nodes: { credential: string }[] } }).definition.nodes[0]!.credential);
    expect((await run(workflow.id)).status).toBe('succeeded');
    const before = peer.received.length;
    expect((await api('PATCH', `/credentials/${credential}`, { disabled: true })).status).toBe(200);
    const disabled = await run(workflow.id);
    expect([disabled.status, disabled.errorCode]).toEqual(['failed', 'credential_disabled']);
    expect((await api('DELETE', `/credentials/${credential}`)).status).toBe(204);
    const deleted = await run(workflow.id);
    expect([deleted.status, deleted.errorCode]).toEqual(['failed', 'credential_not_found']);
    expect(peer.received.length).toBe(before);
  });

  it('[WEB-07] bad signature, stale timestamp, replayed id and modified body are refused and start nothing; a good delivery runs', async () => {
    const { workflow, webhookSecret } = await createWorkflow(enclave, workspace, { name: 'hooked', definition: webhookCodeTransform() });
    const hook = (body: string, headers: Record<string, string>) => enclave.request('POST', `/hooks/${workflow.id}`, { body, headers });
    const body = JSON.stringify({ order: 'H-1', quantity: 1 });
    const runsSoFar = async () => ((await (await api('GET', `/runs?workflowId=${workflow.id}`)).json()) as { runs: unknown[] }).runs.length;
    const refusedWith = async (response: Response) => [response.status, ((await response.json()) as { error: { code: string } }).error.code];

    const otherSecret = `whsec_${randomBytes(32).toString('base64')}`;
    expect(await refusedWith(await hook(body, signedHeaders(otherSecret, body)))).toEqual([401, 'webhook_signature_invalid']);
    const stale = new Date(Date.now() - 10 * 60 * 1000);
    expect(await refusedWith(await hook(body, signedHeaders(webhookSecret!, body, { at: stale })))).toEqual([401, 'webhook_timestamp_out_of_tolerance']);
    expect(await refusedWith(await hook(JSON.stringify({ order: 'H-1', quantity: 1000 }), signedHeaders(webhookSecret!, body)))).toEqual([401, 'webhook_signature_invalid']);
    expect(await refusedWith(await hook(body, { 'content-type': 'application/json' }))).toEqual([400, 'webhook_headers_missing']);
    expect(await refusedWith(await hook(body, { ...signedHeaders(webhookSecret!, body), 'webhook-timestamp': 'soon' }))).toEqual([400, 'webhook_headers_invalid']);
    expect(await refusedWith(await hook(body, { ...signedHeaders(webhookSecret!, body), 'content-type': 'application/x-www-form-urlencoded' }))).toEqual([415, 'unsupported_media_type']);
    expect(await runsSoFar()).toBe(0);

    // Deliveries are server-to-server: the origin check does not apply, the signature is what counts.
    const headers = signedHeaders(webhookSecret!, body);
    const good = await hook(body, { ...headers, origin: 'https://elsewhere.example' });
    expect(good.status).toBe(202);
    const started = (await good.json()) as { runId: string; status: string };
    expect(started.status).toBe('succeeded');
    expect(await refusedWith(await hook(body, headers))).toEqual([401, 'webhook_replayed']);
    expect(await runsSoFar()).toBe(1);
    const recorded = (await (await api('GET', `/runs/${started.runId}`)).json()) as RunBody & { trigger: string };
    expect(recorded.trigger).toBe('webhook');
    expect(recorded.output).toMatchObject({ orderId: 'H-1', total: 3 });

    // The workspace comes from the workflow id alone: an unknown or manual workflow has no hook.
    const manual = await createWorkflow(enclave, workspace, { name: 'by hand', definition: { trigger: { type: 'manual' }, nodes: [{ id: 'a', type: 'transform', fields: { a: 'a' } }] } });
    expect((await enclave.request('POST', `/hooks/${manual.workflow.id}`, { body, headers: signedHeaders(webhookSecret!, body) })).status).toBe(404);
    expect((await enclave.request('POST', '/hooks/wf_00000000000000000000000000000000', { body, headers: signedHeaders(webhookSecret!, body) })).status).toBe(404);
  });
});
