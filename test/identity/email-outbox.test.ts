import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_OUTBOX_LIMIT } from '../../src/email/dev-outbox.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { solvedChallenge } from '../helpers/proof-of-work.ts';

interface Outbox {
  developmentOnly: boolean;
  notice: string;
  mails: { to: string; subject: string; text: string }[];
}

describe('dev outbox in development mode without SMTP', () => {
  let enclave: TestServer;

  beforeAll(async () => {
    enclave = await startTestServer({ rateLimit: { signInPerIpPerMinute: 1000 } });
  });
  afterAll(() => enclave.close());

  it('a magic-link mail lands in the outbox, readable at /api/dev/outbox and labelled development-only', async () => {
    const ada = await enclave.createUser('Ada');
    const asked = await enclave.request('POST', '/api/auth/magic-link', { body: { email: ada.email, altcha: await solvedChallenge(enclave.url) }, headers: { origin: enclave.url } });
    expect(asked.status).toBe(202);
    await expect.poll(async () => ((await (await enclave.request('GET', '/api/dev/outbox')).json()) as Outbox).mails.length).toBeGreaterThan(0);
    const outbox = (await (await enclave.request('GET', '/api/dev/outbox')).json()) as Outbox;
    expect(outbox.developmentOnly).toBe(true);
    expect(outbox.notice).toMatch(/development mode only/);
    expect(outbox.mails[0]).toMatchObject({ to: ada.email, subject: 'Your Enclave sign-in link' });
    const link = /http:\/\/\S+\/api\/auth\/magic-link\/verify\?token=\S+/.exec(outbox.mails[0]!.text)![0];
    const followed = await fetch(link, { redirect: 'manual' });
    expect(followed.status).toBe(303);
    expect(followed.headers.getSetCookie()).toHaveLength(1);
    expect(enclave.logs.join('\n')).not.toContain(new URL(link).searchParams.get('token')!);
  });

  it('[IDN-02] the outbox holds working sign-in links, so it answers only clients on this machine', async () => {
    const proxied = await startTestServer({ trustProxy: ['127.0.0.1'] });
    try {
      expect((await proxied.request('GET', '/api/dev/outbox')).status).toBe(200);
      const remote = await proxied.request('GET', '/api/dev/outbox', { headers: { 'x-forwarded-for': '203.0.113.7' } });
      expect(remote.status).toBe(404);
      expect(await remote.text()).not.toContain('mails');
    } finally {
      await proxied.close();
    }
  });

  it(`keeps only the newest ${DEV_OUTBOX_LIMIT} mails`, async () => {
    const outbox = enclave.server.platform.devOutbox!;
    for (let i = 0; i < DEV_OUTBOX_LIMIT + 5; i++) await outbox.send({ to: `n${i}@people.example`, subject: `mail ${i}`, text: 'x' });
    const mails = outbox.list();
    expect(mails).toHaveLength(DEV_OUTBOX_LIMIT);
    expect(mails[0]!.subject).toBe(`mail ${DEV_OUTBOX_LIMIT + 4}`);
  });
});

const productionFlags = {
  mode: 'production' as const,
  masterKey: 'ab'.repeat(32),
  trustProxy: ['127.0.0.1'],
  publicUrl: 'https://enclave.example.test',
  securityContact: 'mailto:security@example.test',
};

describe('production without SMTP', () => {
  it('refuses to start while sign-up is allowed, since nobody could verify an account', async () => {
    await expect(startTestServer(productionFlags)).rejects.toThrow(/needs smtp settings/);
  });

  it('with sign-up closed it starts: the outbox route is 404 and magic links answer 409 email_not_configured for every address', async () => {
    const enclave = await startTestServer({ ...productionFlags, allowSignUp: false });
    try {
      const base = `http://127.0.0.1:${enclave.server.port}`;
      const outbox = await fetch(`${base}/api/dev/outbox`);
      expect(outbox.status).toBe(404);
      const user = await enclave.createUser();
      const answers = [];
      for (const email of [user.email, 'nobody@people.example']) {
        const response = await fetch(`${base}/api/auth/magic-link`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: 'https://enclave.example.test' },
          body: JSON.stringify({ email, altcha: await solvedChallenge(base) }),
        });
        const body = (await response.json()) as { error: { code: string; requestId: string } };
        answers.push({ status: response.status, code: body.error.code });
      }
      expect(answers).toEqual([
        { status: 409, code: 'email_not_configured' },
        { status: 409, code: 'email_not_configured' },
      ]);
    } finally {
      await enclave.close();
    }
  });
});
