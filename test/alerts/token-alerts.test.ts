import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.ts';
import { signatureValid, startReceiver, type Receiver } from './webhook-receiver.ts';

interface ListedAlert {
  id: string;
  rule: string;
  subject: string;
  details: Record<string, unknown>;
}

describe('token alerts', () => {
  let smtp: SmtpCapture;
  let receiver: Receiver;
  let enclave: TestServer;
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const threshold = 10;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    receiver = await startReceiver();
    const secretFile = join(mkdtempSync(join(tmpdir(), 'enclave-token-alerts-')), 'webhook-secret');
    writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
    enclave = await startTestServer({
      smtp: { host: '127.0.0.1', port: smtp.port, from: 'enclave@alerts.example' },
      // The test client is the proxy: X-Forwarded-For then names the address a request comes from.
      trustProxy: ['127.0.0.1'],
      rateLimit: { perIpPerMinute: 10_000, perActorPerMinute: 10_000 },
      alerts: { requestsPerTokenPerWindow: threshold, emails: ['ops@alerts.example'], webhookUrl: receiver.url, webhookSecretFile: secretFile },
    });
  });
  afterAll(async () => {
    await enclave.close();
    await smtp.close();
    receiver.server.close();
  });

  /** A request with the workspace's key, from `from` when given (through the trusted proxy), else from 127.0.0.1 itself. */
  const use = async (workspace: TestWorkspace, from?: string) => {
    const response = await enclave.request('GET', `/api/w/${workspace.id}/profile`, { token: workspace.token, ...(from ? { headers: { 'x-forwarded-for': from } } : {}) });
    expect(response.status).toBe(200);
  };
  /** The workspace's alerts, read with a second key so that reading them is no use of the key under watch. */
  const alertsOf = async (workspace: TestWorkspace, reader: string) => {
    const response = await enclave.request('GET', `/api/w/${workspace.id}/alerts`, { token: reader });
    expect(response.status).toBe(200);
    return ((await response.json()) as { alerts: ListedAlert[] }).alerts;
  };
  /** Waits until the workspace has an alert for that rule and network, and returns all its alerts. */
  const alertsOnceRaised = async (workspace: TestWorkspace, reader: string, rule: string, network?: string) => {
    await expect
      .poll(async () => (await alertsOf(workspace, reader)).some((alert) => alert.rule === rule && (network === undefined || alert.details.network === network)), { timeout: 5000 })
      .toBe(true);
    return alertsOf(workspace, reader);
  };
  /** The id of the workspace's key, asked for with the key itself (from 127.0.0.1). */
  const keyOf = async (workspace: TestWorkspace) => ((await (await enclave.request('GET', `/api/w/${workspace.id}/api-keys/current`, { token: workspace.token })).json()) as { id: string }).id;

  it('[LOG-06] a key used from 127.0.0.1 and then from another network raises one token_new_network alert, mailed to the operators and sent to the signed webhook', async () => {
    const workspace = await enclave.createWorkspace('Roaming Co');
    const reader = await enclave.addKey(workspace.id, 'admin');
    const keyId = await keyOf(workspace);
    await use(workspace);
    await use(workspace, '203.0.113.77');

    const alerts = await alertsOnceRaised(workspace, reader, 'token_new_network');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: 'token_new_network', subject: `api_key:${keyId}`, details: { credential: `api_key:${keyId}`, network: '203.0.113.0/24' } });

    await expect.poll(() => smtp.mails.some((mail) => mail.text.includes(keyId)), { timeout: 5000 }).toBe(true);
    const mails = smtp.mails.filter((mail) => mail.text.includes(keyId));
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.to).toEqual(['ops@alerts.example']);
    expect(mail.subject).toBe('Enclave alert: A token was used from a new network');
    expect(mail.text).toContain('token_new_network');
    expect(mail.text).toContain('203.0.113.0/24');
    expect(mail.text).not.toContain('203.0.113.77');

    await expect.poll(() => receiver.deliveries.some((delivery) => delivery.body.includes(keyId)), { timeout: 5000 }).toBe(true);
    const deliveries = receiver.deliveries.filter((delivery) => delivery.body.includes(keyId));
    expect(deliveries).toHaveLength(1);
    expect(signatureValid(deliveries[0]!, secret)).toBe(true);
    expect(signatureValid({ ...deliveries[0]!, body: deliveries[0]!.body.replace('203.0.113.0/24', '198.51.100.0/24') }, secret)).toBe(false);
    expect(JSON.parse(deliveries[0]!.body)).toMatchObject({ type: 'alert.raised', data: { rule: 'token_new_network', workspaceId: workspace.id } });
    expect(deliveries[0]!.body).not.toContain('203.0.113.77');
  });

  it('[LOG-06] a key used again from a network it was seen from, whatever the address in it, raises nothing', async () => {
    const workspace = await enclave.createWorkspace('Settled Co');
    const reader = await enclave.addKey(workspace.id, 'admin');
    await use(workspace);
    await use(workspace, '198.51.100.10');
    expect(await alertsOnceRaised(workspace, reader, 'token_new_network', '198.51.100.0/24')).toHaveLength(1);

    await use(workspace, '198.51.100.10');
    await use(workspace, '198.51.100.250');
    await use(workspace, '127.0.0.9');
    await use(workspace);
    // A third network as a marker: once its alert is there, every request before it has been looked at.
    await use(workspace, '192.0.2.1');
    const alerts = await alertsOnceRaised(workspace, reader, 'token_new_network', '192.0.2.0/24');
    expect(alerts.map((alert) => alert.details.network).sort()).toEqual(['192.0.2.0/24', '198.51.100.0/24']);
  });

  it('[LOG-06] a burst of requests past the per-token threshold raises one token_request_rate alert for the window', async () => {
    const workspace = await enclave.createWorkspace('Busy Co');
    const reader = await enclave.addKey(workspace.id, 'admin');
    const keyId = await keyOf(workspace);
    for (let request = 0; request < threshold * 3; request++) await use(workspace);
    // A new network as a marker, as above: the burst has been counted once its alert is there.
    await use(workspace, '192.0.2.77');
    const alerts = await alertsOnceRaised(workspace, reader, 'token_new_network', '192.0.2.0/24');
    const rate = alerts.filter((alert) => alert.rule === 'token_request_rate');
    expect(rate).toHaveLength(1);
    expect(rate[0]).toMatchObject({ subject: `api_key:${keyId}`, details: { credential: `api_key:${keyId}`, count: threshold + 1 } });

    await expect.poll(() => receiver.deliveries.some((delivery) => delivery.body.includes('"rule":"token_request_rate"') && delivery.body.includes(keyId)), { timeout: 5000 }).toBe(true);
    const delivery = receiver.deliveries.find((candidate) => candidate.body.includes('"rule":"token_request_rate"') && candidate.body.includes(keyId))!;
    expect(signatureValid(delivery, secret)).toBe(true);
    // The reader key made requests too, but far fewer than the threshold: no alert names it.
    expect(alerts.every((alert) => alert.subject === `api_key:${keyId}`)).toBe(true);
  });

  it('[LOG-06] the control database keeps the networks a key was used from, never the addresses', async () => {
    const workspace = await enclave.createWorkspace('Private Co');
    const reader = await enclave.addKey(workspace.id, 'admin');
    const keyId = await keyOf(workspace);
    const addresses = ['203.0.113.201', '2001:db8:1234:5678::42', '198.51.100.201'];
    for (const address of addresses) await use(workspace, address);
    await alertsOnceRaised(workspace, reader, 'token_new_network', '198.51.100.0/24');

    const db = enclave.server.platform.controlDb;
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    const everything = tables.map(({ name }) => JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())).join('\n');
    for (const address of addresses) expect(everything).not.toContain(address);
    expect(everything).toContain('2001:db8:1234::/48');
    const stored = db.prepare('SELECT network FROM credential_network WHERE credential = ? ORDER BY network').all(`api_key:${keyId}`) as { network: string }[];
    expect(stored.map((row) => row.network)).toEqual(['127.0.0.0/24', '198.51.100.0/24', '2001:db8:1234::/48', '203.0.113.0/24']);
  });
});
