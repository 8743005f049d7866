import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepExpired } from '../../src/platform/expiry-sweeper.ts';
import { controlEvents } from '../identity/audit.ts';
import { encodePayload, fetchChallenge, solveChallenge, solvedChallenge, type ChallengeAnswer } from '../helpers/proof-of-work.ts';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.ts';

interface ProtectedRoute {
  path: string;
  /** A body that the route would act on, given a valid solution. */
  body(): Record<string, unknown>;
}

const PASSWORD = 'a long enough passphrase';

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe('proof of work on the public forms', () => {
  let smtp: SmtpCapture;
  let enclave: TestServer;
  let person: TestUser;
  let routes: ProtectedRoute[];

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    enclave = await startTestServer({
      rateLimit: { signInPerIpPerMinute: 1000, magicLinkPerEmailPerHour: 2, passwordResetPerEmailPerHour: 2 },
      smtp: { host: '127.0.0.1', port: smtp.port, from: 'enclave@mail.example' },
    });
    person = await enclave.createUser('Pat');
    routes = [
      { path: '/api/auth/sign-up/email', body: () => ({ email: `${randomUUID()}@people.example`, password: PASSWORD, name: 'Newcomer' }) },
      { path: '/api/auth/magic-link', body: () => ({ email: person.email }) },
      { path: '/api/auth/password-reset/request', body: () => ({ email: person.email }) },
    ];
  });
  afterAll(async () => {
    await enclave.close();
    await smtp.close();
  });

  const submit = (route: ProtectedRoute, altcha?: string, body = route.body()) =>
    enclave.request('POST', route.path, { body: altcha === undefined ? body : { ...body, altcha }, headers: { origin: enclave.url } });

  /** Everything a protected request could change: accounts, mailed links, mails sent and audit events. */
  function footprint() {
    const db = enclave.server.platform.controlDb;
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      users: count('SELECT count(*) AS n FROM "user"'),
      links: count('SELECT count(*) AS n FROM "verification"'),
      auditEvents: controlEvents(enclave).length,
      mails: smtp.mails.length,
    };
  }

  /** Mails go out in the background: give a wrongly sent one time to arrive before counting. */
  async function settledFootprint() {
    await sleep(300);
    return footprint();
  }

  it('[WEB-06] the challenge is a signed ALTCHA SHA-256 challenge that expires in minutes, and handing one out stores nothing', async () => {
    const before = footprint();
    const response = await enclave.request('GET', '/api/auth/challenge');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const challenge = (await response.json()) as ChallengeAnswer;
    expect(challenge.parameters).toMatchObject({ algorithm: 'SHA-256', cost: 1, keyLength: 32 });
    expect(challenge.signature).toMatch(/^[0-9a-f]{64}$/);
    const lifetime = challenge.parameters.expiresAt - Date.now() / 1000;
    expect(lifetime).toBeGreaterThan(200);
    expect(lifetime).toBeLessThanOrEqual(300);
    const other = await fetchChallenge(enclave.url);
    expect(other.parameters.nonce).not.toBe(challenge.parameters.nonce);
    const spent = enclave.server.platform.controlDb.prepare('SELECT count(*) AS n FROM proof_of_work_spent').get();
    expect(spent).toEqual({ n: 0 });
    expect(footprint()).toEqual(before);
  });

  it('[WEB-06] sign-up, magic-link and password-reset requests without a solution get 400 challenge_required and change nothing', async () => {
    const before = footprint();
    for (const route of routes) {
      for (const altcha of [undefined, '']) {
        const response = await submit(route, altcha);
        expect(response.status, route.path).toBe(400);
        expect(await errorCode(response), route.path).toBe('challenge_required');
      }
    }
    expect(await settledFootprint()).toEqual(before);
  });

  it('[WEB-06] forged solutions get 400 challenge_failed on every protected route and change nothing', async () => {
    const before = footprint();
    for (const route of routes) {
      const challenge = await fetchChallenge(enclave.url);
      const solution = solveChallenge(challenge);
      // The next counter's real key: well-formed work, but not the answer.
      const wrong = solveWrong(challenge, solution.counter);
      // Parameters changed after signing: a longer life, or an easier prefix.
      const extended = { ...challenge, parameters: { ...challenge.parameters, expiresAt: challenge.parameters.expiresAt + 3600 } };
      const easier = { ...challenge, parameters: { ...challenge.parameters, keyPrefix: challenge.parameters.keyPrefix.slice(0, 2) } };
      const forgeries = [
        'not a payload',
        Buffer.from('{"challenge":null,"solution":null,"test":true}').toString('base64'),
        encodePayload(challenge, wrong),
        encodePayload(challenge, { counter: solution.counter, derivedKey: 'ab'.repeat(32) }),
        encodePayload(extended, solution),
        encodePayload(easier, solution),
        encodePayload(selfSigned(), { counter: 0, derivedKey: 'ab'.repeat(32) }),
      ];
      for (const forged of forgeries) {
        const response = await submit(route, forged);
        expect(response.status, `${route.path} ${forged.slice(0, 40)}`).toBe(400);
        expect(await errorCode(response)).toBe('challenge_failed');
      }
    }
    expect(await settledFootprint()).toEqual(before);
  });

  it('[WEB-06] a correct solution is accepted once; presenting it again gets 400 challenge_used and changes nothing', async () => {
    for (const route of routes) {
      const altcha = await solvedChallenge(enclave.url);
      const body = route.body();
      const first = await submit(route, altcha, body);
      expect(first.status, route.path).toBe(202);
      const after = await settledFootprint();
      // The replay carries another address, so it is the solution that is refused, not the address.
      const replay = await submit(route, altcha, route.path.includes('sign-up') ? route.body() : { email: 'someone-else@people.example' });
      expect(replay.status, route.path).toBe(400);
      expect(await errorCode(replay)).toBe('challenge_used');
      expect(await settledFootprint()).toEqual(after);
    }
    expect(smtp.mails.filter((mail) => mail.to.includes('someone-else@people.example'))).toEqual([]);
  });

  it('[WEB-06] the check comes before the per-address limit: refused requests use up none of it', async () => {
    const address = `${randomUUID()}@people.example`;
    for (const route of routes.slice(1)) {
      for (let i = 0; i < 5; i++) expect((await submit(route, undefined, { email: address })).status).toBe(400);
      for (let i = 0; i < 2; i++) expect((await submit(route, await solvedChallenge(enclave.url), { email: address })).status).toBe(202);
      const limited = await submit(route, await solvedChallenge(enclave.url), { email: address });
      expect(limited.status, route.path).toBe(429);
      expect(await errorCode(limited)).toBe('rate_limited');
    }
  });

  it('[WEB-06] a spent solution is remembered only until its challenge expires, then the sweeper removes it', () => {
    const db = enclave.server.platform.controlDb;
    const spent = () => (db.prepare('SELECT count(*) AS n FROM proof_of_work_spent').get() as { n: number }).n;
    expect(spent()).toBeGreaterThan(0);
    expect(sweepExpired(db, { now: new Date(), forgetFailuresAfterSeconds: 900 }).proofOfWorkSolutions).toBe(0);
    const afterExpiry = new Date(Date.now() + 301_000);
    expect(sweepExpired(db, { now: afterExpiry, forgetFailuresAfterSeconds: 900 }).proofOfWorkSolutions).toBeGreaterThan(0);
    expect(spent()).toBe(0);
  });
});

describe('proof of work that expired', () => {
  let enclave: TestServer;

  beforeAll(async () => {
    enclave = await startTestServer({ rateLimit: { signInPerIpPerMinute: 1000 }, proofOfWork: { challengeSeconds: 1 } });
  });
  afterAll(() => enclave.close());

  it('[WEB-06] a solution presented after its challenge expired gets 400 challenge_failed and creates no account', async () => {
    const challenge = await fetchChallenge(enclave.url);
    const altcha = encodePayload(challenge, solveChallenge(challenge));
    await sleep(Math.max(0, challenge.parameters.expiresAt * 1000 - Date.now()) + 1100);
    const email = `${randomUUID()}@people.example`;
    const response = await enclave.request('POST', '/api/auth/sign-up/email', {
      body: { email, password: PASSWORD, name: 'Too Late', altcha },
      headers: { origin: enclave.url },
    });
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe('challenge_failed');
    expect(enclave.server.platform.identity.userByEmail(email)).toBeUndefined();
  });
});

/** The key for the counter after the answer, computed the way a solver would. */
function solveWrong(challenge: ChallengeAnswer, counter: number): { counter: number; derivedKey: string } {
  const password = Buffer.concat([Buffer.from(challenge.parameters.nonce, 'hex'), Buffer.alloc(4)]);
  password.writeUInt32BE(counter + 1, password.length - 4);
  const derivedKey = createHash('sha256').update(Buffer.from(challenge.parameters.salt, 'hex')).update(password).digest('hex');
  return { counter: counter + 1, derivedKey };
}

/** A challenge signed by someone who does not hold the server's key. */
function selfSigned(): ChallengeAnswer {
  const key = randomBytes(32);
  const parameters = {
    algorithm: 'SHA-256',
    cost: 1,
    expiresAt: Math.floor(Date.now() / 1000) + 300,
    keyLength: 32,
    keyPrefix: 'ab',
    keySignature: createHmac('sha256', key).update(Buffer.from('ab'.repeat(32), 'hex')).digest('hex'),
    nonce: randomBytes(16).toString('hex'),
    salt: randomBytes(16).toString('hex'),
  };
  return { parameters, signature: createHmac('sha256', key).update(JSON.stringify(parameters)).digest('hex') };
}
