import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { cardNumber, fake, groupDigits } from './fakes.ts';

function startRedact(args: string[] = []) {
  return spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'src/cli/main.ts', 'redact', ...args], { cwd: '/work/main' });
}

/** Runs `enclave redact` as a real process, writing `input` to it chunk by chunk. */
async function enclaveRedact(args: string[], input: string | readonly Buffer[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = startRedact(args);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  for (const chunk of typeof input === 'string' ? [input] : input) child.stdin.write(chunk);
  child.stdin.end();
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
}

const card = cardNumber('4', 16, 'cli-card');
const jwt = fake.jwt({ sub: 'usr_8' }, 'cli-jwt');
const password = fake.password('cli');

describe('enclave redact', () => {
  it('[LOG-05] masks standard input line by line and copies everything else byte for byte', async () => {
    const input = [
      `2024-01-15T10:30:00Z GET /api/me 200 Authorization: Bearer ${jwt}`,
      `payment ${groupDigits(card, [4, 4, 4, 4], ' ')} for carol@example.com`,
      'nothing to see — ünïcödé ✓\r',
      `{"level":30,"msg":"login","password":"${password}"}`,
      '',
      'no trailing newline',
    ].join('\n');
    const run = await enclaveRedact([], input);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      [
        '2024-01-15T10:30:00Z GET /api/me 200 Authorization: [REDACTED:authorization]',
        'payment [REDACTED:card] for [REDACTED:email]',
        'nothing to see — ünïcödé ✓\r',
        '{"level":30,"msg":"login","password":"[REDACTED:password]"}',
        '',
        'no trailing newline',
      ].join('\n'),
    );
  });

  it('[LOG-05] reassembles lines and characters split across input chunks', async () => {
    const bytes = Buffer.from(`token ${jwt} and café ${card}\n`.repeat(3));
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
    const run = await enclaveRedact([], chunks);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('token [REDACTED:jwt] and café [REDACTED:card]\n'.repeat(3));
  });

  it('[LOG-05] writes each line as soon as it is complete, before input ends', async () => {
    const child = startRedact();
    child.stdout.setEncoding('utf8');
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = once(child, 'close') as Promise<[number | null]>;
    // Fails fast, with the reason, if the command dies while a line is awaited.
    const nextOutput = () =>
      Promise.race([
        once(child.stdout, 'data').then(([text]) => text as string),
        closed.then(([code]) => Promise.reject(new Error(`enclave redact exited (${String(code)}): ${stderr}`))),
      ]);
    child.stdin.write(`first ${card}\nsecond `);
    expect(await nextOutput()).toBe('first [REDACTED:card]\n');
    child.stdin.end('carol@example.com\n');
    expect(await nextOutput()).toBe('second [REDACTED:email]\n');
    expect((await closed)[0]).toBe(0);
  });

  it('[LOG-05] masks a private key that spans lines', async () => {
    const run = await enclaveRedact([], `key:\n${fake.pem('RSA PRIVATE KEY', 'cli')}\ndone\n`);
    expect(run.stdout).toBe(`key:\n${'[REDACTED:private-key]\n'.repeat(6)}done\n`);
  });

  it('[LOG-05] with --json masks JSON records by key as well, and other lines by content', async () => {
    const input = [
      JSON.stringify({ level: 30, credentials: { user: 'ops', pass: password }, card: Number(card), n: 1 }),
      `plain line with ${card}`,
      '{"not": json',
    ].join('\n');
    const run = await enclaveRedact(['--json'], `${input}\n`);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      JSON.stringify({ level: 30, credentials: '[REDACTED:credential]', card: '[REDACTED:card]', n: 1 }),
      'plain line with [REDACTED:card]',
      '{"not": json',
      '',
    ]);
  });

  it('[LOG-05] filters a large log completely', async () => {
    const line = `{"level":30,"msg":"request completed","user":"carol@example.com","responseTime":12.5}\n`;
    const run = await enclaveRedact([], line.repeat(50_000));
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(line.replace('carol@example.com', '[REDACTED:email]').repeat(50_000));
  });

  it('[LOG-05] prints help that names the --json option', async () => {
    const run = await enclaveRedact(['--help'], '');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('usage: enclave redact');
    expect(run.stdout).toContain('--json');
  });
});
