import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { controlEvents } from './audit.ts';

describe('brute-force protection on sign-in', () => {
  let enclave: TestServer;
  let ada: TestUser;

  beforeAll(async () => {
    enclave = await startTestServer({
      rateLimit: { signInPerIpPerMinute: 1000 },
      signInLockout: { freeFailures: 3, baseSeconds: 1, maxSeconds: 60, forgetAfterSeconds: 600 },
    });
    ada = await enclave.createUser('Ada');
  });
  afterAll(() => enclave.close());

  const signIn = (email: string, password: string) =>
    enclave.request('POST', '/api/auth/sign-in/email', { body: { email, password }, headers: { origin: enclave.url } });
  const code = async (response: Response) => ((await response.json()) as { error?: { code: string } }).error?.code;

  it('[WEB-05] repeated bad passwords lock the account with Retry-After, even the right password is refused while locked, and the lock is audited', async () => {
    for (let attempt = 1; attempt <= 3; attempt++) expect((await signIn(ada.email, 'wrong password!!')).status).toBe(401);
    const locked = await signIn(ada.email, ada.password);
    expect(locked.status).toBe(429);
    expect(await code(locked)).toBe('sign_in_locked');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    const events = controlEvents(enclave).filter((event) => event.action === 'user.sign_in.locked');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: 'denied', target_type: 'email_digest' });
    expect(events[0]!.target_id).not.toContain(ada.email);
  });

  it('[WEB-05] the back-off doubles with each further failure, and a success clears it', async () => {
    const bob = await enclave.createUser('Bob');
    for (let attempt = 1; attempt <= 3; attempt++) await signIn(bob.email, 'wrong password!!');
    const first = Number((await signIn(bob.email, bob.password)).headers.get('retry-after'));
    await sleep(first * 1000 + 100);
    expect((await signIn(bob.email, 'wrong password!!')).status).toBe(401);
    const second = Number((await signIn(bob.email, bob.password)).headers.get('retry-after'));
    expect(second).toBeGreaterThan(first);
    await sleep(second * 1000 + 100);
    expect((await signIn(bob.email, bob.password)).status).toBe(200);
    expect((await signIn(bob.email, 'wrong password!!')).status).toBe(401);
    expect((await signIn(bob.email, bob.password)).status).toBe(200);
  });

  it('[WEB-05] an unknown address locks exactly like a real one, so the lock reveals nothing (ASVS 6.3.8)', async () => {
    const unknown = 'nobody.here@example.org';
    const statuses: number[] = [];
    const carol = await enclave.createUser('Carol');
    const real: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      statuses.push((await signIn(unknown, 'wrong password!!')).status);
      real.push((await signIn(carol.email, 'wrong password!!')).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(real).toEqual(statuses);
  });

  it('[WEB-05] the N+1th sign-in from one IP gets 429 with Retry-After', async () => {
    const limited = await startTestServer({ rateLimit: { signInPerIpPerMinute: 3 } });
    try {
      const user = await limited.createUser('Dan');
      for (let attempt = 1; attempt <= 3; attempt++) {
        const response = await limited.request('POST', '/api/auth/sign-in/email', { body: { email: user.email, password: 'wrong password!!' }, headers: { origin: limited.url } });
        expect(response.status).toBe(401);
      }
      const response = await limited.request('POST', '/api/auth/sign-in/email', { body: { email: user.email, password: user.password }, headers: { origin: limited.url } });
      expect(response.status).toBe(429);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});
