import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cookiePair, startTestServer, type TestServer } from '../helpers/server.ts';

const owner = { name: 'Olga Owner', email: 'olga@first-run.example', password: 'correct horse battery staple', workspaceName: 'Olga Industries' };

describe('first-run setup of the owner account', () => {
  let enclave: TestServer;
  let tokenPath: string;

  beforeEach(async () => {
    enclave = await startTestServer();
    tokenPath = enclave.server.setupTokenPath!;
  });
  afterEach(() => enclave.close());

  const token = () => readFileSync(tokenPath, 'utf8').trim();
  const setUp = (body: unknown) => enclave.request('POST', '/api/setup', { body, headers: { origin: enclave.url } });

  it('[IDN-01] the setup token is in an owner-only file; with it the first person becomes the owner of a new workspace and is signed in', async () => {
    expect(statSync(tokenPath).mode & 0o777).toBe(0o600);
    expect(((await (await enclave.request('GET', '/api/setup')).json()) as { needed: boolean }).needed).toBe(true);
    const secret = token();

    const response = await setUp({ ...owner, token: secret });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { user: { email: string; emailVerified: boolean }; workspace: { id: string; role: string } };
    expect(body.user).toMatchObject({ email: owner.email, emailVerified: true });
    expect(body.workspace.role).toBe('owner');
    const cookie = cookiePair(response.headers.get('set-cookie')!);
    expect((await enclave.request('GET', `/api/w/${body.workspace.id}/members`, { cookie })).status).toBe(200);

    expect(existsSync(tokenPath)).toBe(false);
    expect(((await (await enclave.request('GET', '/api/setup')).json()) as { needed: boolean }).needed).toBe(false);
    const again = await setUp({ ...owner, email: 'mallory@first-run.example', token: secret });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('setup_complete');
    expect(enclave.logs.join('\n')).not.toContain(secret);
  });

  it('[IDN-01] a wrong token is refused, audited, and creates nothing', async () => {
    const response = await setUp({ ...owner, token: 'not-the-token' });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('setup_token_invalid');
    expect(enclave.server.platform.identity.userByEmail(owner.email)).toBeUndefined();
    expect(enclave.server.platform.setup.needed()).toBe(true);
    enclave.server.platform.controlAudit.flush();
    const denied = enclave.server.platform.controlDb
      .prepare("SELECT outcome FROM audit_events WHERE action = 'setup.complete'")
      .pluck()
      .all();
    expect(denied).toEqual(['denied']);
  });

  it('[IDN-01] bad input gets a specific 400 and changes nothing; once an operator created an account, setup is closed', async () => {
    for (const body of [{ ...owner, token: token(), password: 'short' }, { ...owner, token: token(), email: 'nope' }, { ...owner }, { ...owner, token: token(), extra: 1 }]) {
      const response = await setUp(body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    }
    expect(enclave.server.platform.setup.needed()).toBe(true);
    const secret = token();
    await enclave.createUser('Operator Made');
    const response = await setUp({ ...owner, token: secret });
    expect(response.status).toBe(409);
    expect(enclave.server.platform.identity.userByEmail(owner.email)).toBeUndefined();
  });
});
