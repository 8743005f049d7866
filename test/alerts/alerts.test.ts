import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.ts';
import { signatureValid, startReceiver, type Receiver } from './webhook-receiver.ts';

describe('security alerts', () => {
  let smtp: SmtpCapture;
  let receiver: Receiver;
  let enclave: TestServer;
  const secret = `whsec_${randomBytes(32).toString('base64')}`;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    receiver = await startReceiver();
    const secretFile = join(mkdtempSync(join(tmpdir(), 'enclave-alerts-')), 'webhook-secret');
    writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
    enclave = await startTestServer({
      smtp: { host: '127.0.0.1', port: smtp.port, from: 'enclave@alerts.example' },
      rateLimit: { signInPerIpPerMinute: 1000 },
      alerts: { signInFailuresPerAccount: 3, signInFailuresPerIp: 1000, workspaceRefusalsPerActor: 5, emails: ['ops@alerts.example'], webhookUrl: receiver.url, webhookSecretFile: secretFile },
    });
  });
  afterAll(async () => {
    await enclave.close();
    await smtp.close();
    receiver.server.close();
  });

  const deliveredFor = async (rule: string) => {
    await expect.poll(() => receiver.deliveries.some((delivery) => delivery.body.includes(`"rule":"${rule}"`)), { timeout: 5000 }).toBe(true);
    return receiver.deliveries.find((delivery) => delivery.body.includes(`"rule":"${rule}"`))!;
  };

  it('[LOG-06] a scripted brute force on one account raises an alert, mailed to the operators and sent to the signed webhook', async () => {
    const victim = await enclave.createUser('Vic Victim');
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await enclave.request('POST', '/api/auth/sign-in/email', { body: { email: victim.email, password: `wrong-guess-${attempt}` }, headers: { origin: enclave.url } });
      expect(response.status).toBe(401);
    }
    const mail = await smtp.next('ops@alerts.example');
    expect(mail.subject).toBe('Enclave alert: Repeated failed sign-ins for one account');
    expect(mail.text).toContain('sign_in_failures_account');
    expect(mail.text).not.toContain('wrong-guess');

    const delivery = await deliveredFor('sign_in_failures_account');
    expect(signatureValid(delivery, secret)).toBe(true);
    expect(signatureValid({ ...delivery, body: delivery.body.replace('"count":3', '"count":1') }, secret)).toBe(false);
    expect(delivery.body).not.toContain(victim.email);
    expect(delivery.body).not.toContain('wrong-guess');
  });

  it('[LOG-06] a key probing another workspace raises an alert on that workspace, which its managers see and acknowledge', async () => {
    const prober = await enclave.createWorkspace('Prober Inc');
    const target = await enclave.createWorkspace('Target Ltd');
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await enclave.request('GET', `/api/w/${target.id}/profile`, { token: prober.token })).status).toBe(404);
    }
    const delivery = await deliveredFor('workspace_probe');
    expect(signatureValid(delivery, secret)).toBe(true);
    await smtp.next('ops@alerts.example');

    const listed = (await (await enclave.request('GET', `/api/w/${target.id}/alerts`, { token: target.token })).json()) as { alerts: { id: string; rule: string; details: { actor: string } }[] };
    expect(listed.alerts).toHaveLength(1);
    expect(listed.alerts[0]).toMatchObject({ rule: 'workspace_probe' });
    expect(listed.alerts[0]!.details.actor).toMatch(/^api_key:key_/);
    const proberView = (await (await enclave.request('GET', `/api/w/${prober.id}/alerts`, { token: prober.token })).json()) as { alerts: unknown[] };
    expect(proberView.alerts).toEqual([]);

    const acknowledged = await enclave.request('POST', `/api/w/${target.id}/alerts/${listed.alerts[0]!.id}/acknowledge`, { token: target.token });
    expect(acknowledged.status).toBe(200);
    expect(((await acknowledged.json()) as { acknowledgedAt: string | null }).acknowledgedAt).not.toBeNull();
    expect((await enclave.request('POST', `/api/w/${prober.id}/alerts/${listed.alerts[0]!.id}/acknowledge`, { token: prober.token })).status).toBe(404);
  });

  it('[LOG-06] an alert webhook without a signing secret, or with a malformed one, is refused at start-up', async () => {
    await expect(startTestServer({ alerts: { webhookUrl: 'https://hooks.example/x' } })).rejects.toThrow(/webhookUrl and webhookSecretFile go together/);
    const malformed = join(mkdtempSync(join(tmpdir(), 'enclave-alerts-')), 'webhook-secret');
    writeFileSync(malformed, 'not base64 at all!\n', { mode: 0o600 });
    await expect(startTestServer({ alerts: { webhookUrl: 'https://hooks.example/x', webhookSecretFile: malformed } })).rejects.toThrow(/must hold a Standard Webhooks secret/);
  });

  it('[LOG-06] a prober who keeps going raises one alert per window, not one per threshold, so the operators are not flooded', async () => {
    const prober = await enclave.createWorkspace('Persistent Prober');
    const target = await enclave.createWorkspace('Patient Target');
    for (let attempt = 0; attempt < 25; attempt++) {
      expect((await enclave.request('GET', `/api/w/${target.id}/profile`, { token: prober.token })).status).toBe(404);
    }
    const listed = (await (await enclave.request('GET', `/api/w/${target.id}/alerts`, { token: target.token })).json()) as { alerts: unknown[] };
    expect(listed.alerts).toHaveLength(1);
  });
});
