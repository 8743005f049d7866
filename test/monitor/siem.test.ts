import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/audit/event.ts';
import type { ConfigInput } from '../../src/core/config.ts';
import { runEnclave } from '../helpers/cli.ts';
import { startTestServer, type TestServer, type TestWorkspace } from '../helpers/server.ts';
import { firstBrokenSeq } from './chain.ts';
import { parseSyslog, startSyslogReceiver, startWebhookReceiver } from './receivers.ts';

interface Batch {
  type: string;
  timestamp: string;
  data: { log: string; events: AuditEvent[] };
}

const secret = () => `whsec_${randomBytes(32).toString('base64')}`;

function secretFile(dir: string, name: string, value: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, `${value}\n`, { mode });
  return path;
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('streaming audit events to a SIEM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'enclave-siem-'));
  const webhookSecret = secret();
  const downSecret = secret();
  let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let syslog: Awaited<ReturnType<typeof startSyslogReceiver>>;
  let siem: ConfigInput['siem'];
  let enclave: TestServer;
  let dataDir: string;
  let workspace: TestWorkspace;

  /** Every webhook batch, each checked with the Standard Webhooks library as a receiver would. */
  const batches = (): Batch[] =>
    webhook.deliveries.map((delivery) => new Webhook(webhookSecret).verify(delivery.body, delivery.headers) as Batch);
  const received = (log: string) => batches().filter((batch) => batch.data.log === log).flatMap((batch) => batch.data.events);
  const apiEvents = async () =>
    ((await (await enclave.request('GET', `/api/w/${workspace.id}/audit-events?limit=1000`, { token: workspace.token })).json()) as { events: AuditEvent[] }).events;
  /** Polls until the webhook has everything the workspace log holds now; no time is asserted. */
  const caughtUp = async () => {
    const head = (await apiEvents()).at(-1)!.seq;
    await expect.poll(() => received(workspace.id).at(-1)?.seq ?? 0, { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(head);
  };

  beforeAll(async () => {
    webhook = await startWebhookReceiver();
    syslog = await startSyslogReceiver();
    siem = {
      intervalSeconds: 1,
      // Small batches, so a handful of actions already spans several deliveries.
      batchSize: 3,
      targets: [
        { name: 'webhook', kind: 'https', url: webhook.url, secretFile: secretFile(dir, 'webhook-secret', webhookSecret) },
        { name: 'syslog', kind: 'syslog', host: '127.0.0.1', port: syslog.port },
        { name: 'down', kind: 'https', url: `http://127.0.0.1:${await closedPort()}/never`, secretFile: secretFile(dir, 'down-secret', downSecret) },
      ],
    };
    enclave = await startTestServer({ siem });
    dataDir = enclave.dataDir;
    workspace = await enclave.createWorkspace('Streamed Co');
    for (let change = 0; change < 4; change++) {
      expect((await enclave.request('PATCH', `/api/w/${workspace.id}/profile`, { token: workspace.token, body: { description: `change ${change}` } })).status).toBe(200);
    }
    const person = await enclave.createUser('Sam Streamed');
    await enclave.signIn(person);
  });
  afterAll(async () => {
    await enclave.close();
    await webhook.close();
    await syslog.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('[LOG-07] events from real HTTP actions reach the webhook signed as Standard Webhooks, in order, as the audit API shows them', async () => {
    await caughtUp();
    const events = received(workspace.id);
    expect(events).toEqual(await apiEvents().then((api) => api.slice(0, events.length)));
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(firstBrokenSeq(events)).toBeUndefined();
    expect(events.filter((event) => event.action === 'workspace.profile.update')).toHaveLength(4);
    for (const batch of batches()) {
      expect(batch.type).toBe('audit.events');
      expect(batch.data.events.length).toBeLessThanOrEqual(3);
    }
    // The control log streams too: the sign-in made over HTTP is there, its chain intact.
    await expect.poll(() => received('control').some((event) => event.action === 'user.sign_in'), { timeout: 30_000, interval: 200 }).toBe(true);
    expect(firstBrokenSeq(received('control'))).toBeUndefined();

    // A delivery changed in transit fails the receiver's check.
    const delivery = webhook.deliveries[0]!;
    expect(() => new Webhook(webhookSecret).verify(delivery.body.replace('"seq":1', '"seq":9'), delivery.headers)).toThrow();
    expect(() => new Webhook(downSecret).verify(delivery.body, delivery.headers)).toThrow();
  });

  it('[LOG-07] a target that cannot be reached is logged without its secret or the events, and does not hold up the others', async () => {
    await caughtUp();
    await expect.poll(() => enclave.logs.some((line) => line.includes('siem delivery failed') && line.includes('"siemTarget":"down"')), { timeout: 30_000, interval: 200 }).toBe(true);
    const failures = enclave.logs.filter((line) => line.includes('siem delivery failed'));
    expect(failures.every((line) => line.includes('"siemTarget":"down"'))).toBe(true);
    const events = received(workspace.id);
    for (const line of enclave.logs) {
      expect(line).not.toContain(downSecret.slice('whsec_'.length));
      expect(line).not.toContain(webhookSecret.slice('whsec_'.length));
      expect(line).not.toContain('/never');
      for (const event of events) expect(line).not.toContain(event.hash);
    }
  });

  it('[LOG-07] the syslog collector gets RFC 5424 messages, octet-counted, carrying each event as structured data', async () => {
    await caughtUp();
    const head = (await apiEvents()).at(-1)!.seq;
    const fromWorkspace = () => syslog.messages.map(parseSyslog).filter((message) => message.params.log === workspace.id);
    await expect.poll(() => fromWorkspace().at(-1)?.params.seq, { timeout: 30_000, interval: 200 }).toBe(String(head));
    expect(syslog.framingErrors).toEqual([]);
    const messages = fromWorkspace();
    const events = messages.map((message) => JSON.parse(message.params.event!) as AuditEvent);
    expect(events).toEqual((await apiEvents()).slice(0, events.length));
    expect(firstBrokenSeq(events)).toBeUndefined();
    for (const [index, message] of messages.entries()) {
      const event = events[index]!;
      expect(message).toMatchObject({ appName: 'enclave', msgId: event.action, timestamp: event.occurredAt, sdId: 'enclave@32473', params: { seq: String(event.seq) } });
      // Facility 13 (log audit); notice for a success, warning otherwise.
      expect(message.pri).toBe(13 * 8 + (event.outcome === 'success' ? 5 : 4));
    }
  });

  it('[LOG-07] events an operator records with the enclave CLI, in another process, are streamed too', async () => {
    await caughtUp();
    const created = await runEnclave(['api-keys', 'create', '--data-dir', dataDir, '--workspace', workspace.id, '--name', 'cli key', '--role', 'viewer'], { env: { USER: 'siem-operator' } });
    expect(created.code).toBe(0);
    await expect.poll(() => received(workspace.id).some((event) => event.action === 'api_key.create' && event.actor.id === 'siem-operator'), { timeout: 30_000, interval: 200 }).toBe(true);
    expect(firstBrokenSeq(received(workspace.id))).toBeUndefined();
  });

  it('[LOG-07] after a restart on the same data dir nothing is sent again, and new events continue the stream', async () => {
    await caughtUp();
    const before = received(workspace.id).length;
    const syslogBefore = syslog.messages.length;
    await enclave.server.close();
    enclave = await startTestServer({ dataDir, siem });
    expect((await enclave.request('PATCH', `/api/w/${workspace.id}/profile`, { token: workspace.token, body: { description: 'after restart' } })).status).toBe(200);
    await caughtUp();
    const events = received(workspace.id);
    expect(events.length).toBeGreaterThan(before);
    // Each event once, in seq order, across both runs; the chain still verifies end to end.
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(firstBrokenSeq(events)).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ action: 'workspace.profile.update' });
    for (const log of new Set(batches().map((batch) => batch.data.log))) {
      const seqs = received(log).map((event) => event.seq);
      expect(new Set(seqs).size).toBe(seqs.length);
    }
    const syslogSeqs = syslog.messages.map(parseSyslog).filter((message) => message.params.log === workspace.id).map((message) => Number(message.params.seq));
    await expect.poll(() => syslog.messages.length, { timeout: 30_000, interval: 200 }).toBeGreaterThan(syslogBefore);
    expect(new Set(syslogSeqs).size).toBe(syslogSeqs.length);
  });

  it('[LOG-07] SIEM targets are checked at start-up: https only (http just for loopback), signed, secrets in 0600 files, syslog over TLS off this machine', async () => {
    const good = secretFile(dir, 'good', secret());
    const attempts: [ConfigInput['siem'], RegExp][] = [
      [{ targets: [{ name: 'plain', kind: 'https', url: 'http://siem.example/ingest', secretFile: good }] }, /must be an https URL/],
      [{ targets: [{ name: 'open', kind: 'https', url: 'https://siem.example/ingest', secretFile: secretFile(dir, 'open', secret(), 0o644) }] }, /readable by its owner only/],
      [{ targets: [{ name: 'bad', kind: 'https', url: 'https://siem.example/ingest', secretFile: secretFile(dir, 'bad', 'not a secret!') }] }, /must hold a Standard Webhooks secret/],
      [{ targets: [{ name: 'cleartext', kind: 'syslog', host: 'siem.example', port: 6514 }] }, /plain TCP only to a loopback host/],
      [{ targets: [{ name: 'twice', kind: 'syslog', host: '127.0.0.1', port: 514 }, { name: 'twice', kind: 'syslog', host: '127.0.0.1', port: 515 }] }, /target names must be unique/],
    ];
    for (const [config, problem] of attempts) await expect(startTestServer({ siem: config })).rejects.toThrow(problem);
  });
});

describe('streaming audit events to a syslog collector over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'enclave-siem-tls-'));
  let trusted: Awaited<ReturnType<typeof startSyslogReceiver>>;
  let untrusted: Awaited<ReturnType<typeof startSyslogReceiver>>;
  let enclave: TestServer;

  /** A certificate for 127.0.0.1, as a collector on this machine would present. */
  function certificate(name: string): { key: string; cert: string; certFile: string } {
    const keyFile = join(dir, `${name}-key.pem`);
    const certFile = join(dir, `${name}-cert.pem`);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
  }

  beforeAll(async () => {
    const collector = certificate('collector');
    const impostor = certificate('impostor');
    trusted = await startSyslogReceiver({ tls: collector });
    untrusted = await startSyslogReceiver({ tls: impostor });
    enclave = await startTestServer({
      siem: {
        intervalSeconds: 1,
        targets: [
          { name: 'collector', kind: 'syslog', host: '127.0.0.1', port: trusted.port, tls: true, caFile: collector.certFile },
          // Trusts the real collector's CA, so the impostor's certificate must be refused.
          { name: 'impostor', kind: 'syslog', host: '127.0.0.1', port: untrusted.port, tls: true, caFile: collector.certFile },
        ],
      },
    });
  });
  afterAll(async () => {
    await enclave.close();
    await trusted.close();
    await untrusted.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('[LOG-07] over TLS the collector gets the events, and one whose certificate is not trusted gets nothing', async () => {
    const workspace = await enclave.createWorkspace('TLS Co');
    expect((await enclave.request('PATCH', `/api/w/${workspace.id}/profile`, { token: workspace.token, body: { description: 'over tls' } })).status).toBe(200);
    const fromWorkspace = () => trusted.messages.map(parseSyslog).filter((message) => message.params.log === workspace.id);
    await expect.poll(() => fromWorkspace().some((message) => message.msgId === 'workspace.profile.update'), { timeout: 30_000, interval: 200 }).toBe(true);
    expect(trusted.framingErrors).toEqual([]);
    expect(fromWorkspace().map((message) => Number(message.params.seq))).toEqual(fromWorkspace().map((_, index) => index + 1));
    await expect.poll(() => enclave.logs.some((line) => line.includes('siem delivery failed') && line.includes('"siemTarget":"impostor"')), { timeout: 30_000, interval: 200 }).toBe(true);
    expect(untrusted.messages).toEqual([]);
  });
});
