import Witness from '@signalapp/sqlcipher';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEnclave } from '../helpers/cli.ts';

/** A data dir with one workspace whose audit log has a few events, as an operator would make it. */
async function populated(): Promise<{ dataDir: string; workspaceId: string; key: string; path: string }> {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'enclave-verify-')), 'data');
  expect((await runEnclave(['init', '--data-dir', dataDir])).code).toBe(0);
  const { id } = JSON.parse((await runEnclave(['workspaces', 'create', '--data-dir', dataDir, '--name', 'Audit Co', '--json'])).stdout) as { id: string };
  for (const role of ['viewer', 'builder', 'admin']) {
    expect((await runEnclave(['api-keys', 'create', '--data-dir', dataDir, '--workspace', id, '--name', role, '--role', role])).code).toBe(0);
  }
  const key = (await runEnclave(['keys', 'show', '--data-dir', dataDir, '--workspace', id, '--purpose', 'db'])).stdout.trim();
  return { dataDir, workspaceId: id, key, path: join(dataDir, 'workspaces', id, 'workspace.db') };
}

/** Tampering as an attacker holding the database key would: SQL through an independent SQLCipher. */
function tamper(path: string, key: string, sql: string): void {
  const db = new Witness(path);
  try {
    db.exec(`PRAGMA key = "x'${key}'"`);
    // The append-only triggers are a guard against mistakes, not against someone holding the key.
    const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as { name: string }[];
    for (const { name } of triggers) db.exec(`DROP TRIGGER "${name}"`);
    db.exec(sql);
  } finally {
    db.close();
  }
}

describe('enclave verify-audit', () => {
  it('[LOG-02] an untouched data dir verifies, control plane and every workspace', async () => {
    const { dataDir, workspaceId } = await populated();
    const result = await runEnclave(['verify-audit', '--data-dir', dataDir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^control: ok \(\d+ events/m);
    expect(result.stdout).toMatch(new RegExp(`^${workspaceId}: ok \\(\\d+ events, \\d+ checkpoints\\)`, 'm'));
  });

  it('[LOG-02] an edited row makes verify-audit exit non-zero naming its sequence number', async () => {
    const { dataDir, workspaceId, key, path } = await populated();
    tamper(path, key, "UPDATE audit_events SET action = 'workspace.innocent' WHERE seq = 2");
    const result = await runEnclave(['verify-audit', '--data-dir', dataDir, '--workspace', workspaceId]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${workspaceId}: TAMPERED at seq 2`);
  });

  it('[LOG-02] a deleted row is detected at its sequence number', async () => {
    const { dataDir, workspaceId, key, path } = await populated();
    tamper(path, key, 'DELETE FROM audit_events WHERE seq = 1');
    const result = await runEnclave(['verify-audit', '--data-dir', dataDir, '--workspace', workspaceId, '--json']);
    expect(result.code).toBe(1);
    const [report] = JSON.parse(result.stdout) as { log: string; result: { ok: boolean; firstBadSeq: number } }[];
    expect(report).toMatchObject({ log: workspaceId, result: { ok: false, firstBadSeq: 1 } });
  });

  it('[LOG-02] a truncated tail before the last checkpoint is detected', async () => {
    const { dataDir, workspaceId, key, path } = await populated();
    const count = (await runEnclave(['verify-audit', '--data-dir', dataDir, '--workspace', workspaceId, '--json'])).stdout;
    const events = (JSON.parse(count) as { result: { events: number } }[])[0]!.result.events;
    tamper(path, key, `DELETE FROM audit_events WHERE seq = ${events}`);
    const result = await runEnclave(['verify-audit', '--data-dir', dataDir, '--workspace', workspaceId]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`TAMPERED at seq ${events}`);
  });
});
