import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runEnclave } from '../helpers/cli.ts';
import { startTestServer } from '../helpers/server.ts';
import { solvedChallenge } from '../helpers/proof-of-work.ts';
import { controlEvents, workspaceEvents } from './audit.ts';

const PASSWORD = 'correct horse battery staple';

describe('enclave users create and workspaces add-member', () => {
  it('[IDN-01] an operator creates a verified account with the password on standard input; it signs in and is audited', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'enclave-users-')), 'data');
    expect((await runEnclave(['init', '--data-dir', dataDir])).code).toBe(0);
    const created = await runEnclave(['users', 'create', '--data-dir', dataDir, '--email', 'Ada@Example.com', '--name', 'Ada', '--password-stdin', '--json'], {
      input: `${PASSWORD}\n`,
      env: { USER: 'root-operator' },
    });
    expect(created.code, created.stderr).toBe(0);
    const user = JSON.parse(created.stdout) as { id: string; email: string; emailVerified: boolean };
    expect(user).toMatchObject({ email: 'ada@example.com', emailVerified: true });
    expect(created.stdout + created.stderr).not.toContain(PASSWORD);

    const workspace = JSON.parse((await runEnclave(['workspaces', 'create', '--data-dir', dataDir, '--name', 'CLI Co', '--json'])).stdout) as { id: string };
    const added = await runEnclave(['workspaces', 'add-member', '--data-dir', dataDir, '--workspace', workspace.id, '--email', 'ada@example.com', '--role', 'admin'], {
      env: { USER: 'root-operator' },
    });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toBe(`added ada@example.com to ${workspace.id} as admin\n`);

    const enclave = await startTestServer({ dataDir });
    try {
      const cookie = await enclave.signIn({ email: 'ada@example.com', password: PASSWORD });
      expect((await enclave.request('GET', `/api/w/${workspace.id}/api-keys`, { cookie })).status).toBe(200);
      expect(controlEvents(enclave).find((event) => event.action === 'user.create')).toMatchObject({ actor_type: 'operator', actor_id: 'root-operator', target_id: user.id });
      expect(workspaceEvents(enclave, workspace.id).find((event) => event.action === 'member.add')).toMatchObject({
        actor_type: 'operator',
        actor_id: 'root-operator',
        target_id: user.id,
      });
    } finally {
      await enclave.close();
    }
  });

  it('[IDN-01] a password cannot be given as an argument, and an empty, short or repeated account is refused without creating anything', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'enclave-users-')), 'data');
    expect((await runEnclave(['init', '--data-dir', dataDir])).code).toBe(0);
    const create = (args: string[], input: string) => runEnclave(['users', 'create', '--data-dir', dataDir, '--name', 'Bo', ...args], { input });

    const inArgv = await create(['--email', 'bo@example.com', '--password', PASSWORD], '');
    expect(inArgv.code).toBe(2);
    expect(inArgv.stderr).toMatch(/unknown option '--password'/i);
    expect(inArgv.stderr).not.toContain(PASSWORD);
    const withoutFlag = await create(['--email', 'bo@example.com'], PASSWORD);
    expect(withoutFlag.code).toBe(2);
    expect(withoutFlag.stderr).toContain('--password-stdin is required');
    const empty = await create(['--email', 'bo@example.com', '--password-stdin'], '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no password on standard input');
    const short = await create(['--email', 'bo@example.com', '--password-stdin'], 'hunter2\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('the password must be 12 to 128 characters');
    expect(short.stderr).not.toContain('hunter2');
    expect((await create(['--email', 'not-an-email', '--password-stdin'], PASSWORD)).stderr).toContain('--email must be an email address');

    expect((await create(['--email', 'bo@example.com', '--password-stdin'], PASSWORD)).code).toBe(0);
    const again = await create(['--email', 'BO@example.com', '--password-stdin'], `${PASSWORD}!`);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('an account with this email address already exists');

    const enclave = await startTestServer({ dataDir });
    try {
      const users = enclave.server.platform.controlDb.prepare('SELECT "email" FROM "user"').all();
      expect(users).toEqual([{ email: 'bo@example.com' }]);
      expect(await enclave.signIn({ email: 'bo@example.com', password: PASSWORD })).toMatch(/^enclave_session=/);
    } finally {
      await enclave.close();
    }
  });

  it('[ACC-01] add-member refuses an unknown role, an unknown account and an account whose address is not verified', async () => {
    const enclave = await startTestServer();
    const workspace = await enclave.createWorkspace('Members Co');
    await enclave.request('POST', '/api/auth/sign-up/email', {
      body: { email: 'self-made@people.example', password: 'a long enough passphrase', name: 'Self Made', altcha: await solvedChallenge(enclave.url) },
      headers: { origin: enclave.url },
    });
    const dataDir = enclave.dataDir;
    await enclave.server.close();
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const add = (email: string, role: string) => runEnclave(['workspaces', 'add-member', '--data-dir', dataDir, '--workspace', workspace.id, '--email', email, '--role', role]);
    expect((await add('self-made@people.example', 'god')).stderr).toContain('--role must be one of owner, admin, builder, viewer, workflow-only, agent-only');
    expect((await add('nobody@people.example', 'viewer')).stderr).toContain('no account has that email address');
    const unverified = await add('self-made@people.example', 'viewer');
    expect(unverified.code).toBe(2);
    expect(unverified.stderr).toContain('that account has not verified its email address');
  });
});
