import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.ts';
import { DatabaseKeyError, openEncryptedDatabase } from '../../src/core/database.ts';
import { migrate, MigrationError } from '../../src/core/migrations.ts';
import { openPlatform, type Platform } from '../../src/platform/platform.ts';
import { randomBytes } from 'node:crypto';

const operator = { actor: { type: 'operator' as const, id: 'storage-test' } };

describe('workspace storage', () => {
  let platform: Platform;

  beforeAll(() => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'enclave-storage-')), 'data');
    platform = openPlatform(loadConfig({ env: {}, flags: { dataDir, workspaceHandleCacheSize: 2 } }), { createKeyInDevelopment: true });
  });
  afterAll(() => platform.close());

  it('[ACC-04] a write through the read-only handle fails in the database layer and changes nothing', async () => {
    const workspace = await platform.workspaces.create('Read Only Co', operator);
    const reader = platform.databases.openReadOnly(workspace.id);
    expect(reader.prepare('SELECT display_name FROM workspace_profile').get()).toEqual({ display_name: 'Read Only Co' });
    for (const sql of [
      "UPDATE workspace_profile SET display_name = 'hacked'",
      'DELETE FROM workspace_profile',
      'DROP TABLE workspace_profile',
      'CREATE TABLE smuggled (x)',
      "ATTACH DATABASE '/tmp/enclave-attach.db' AS other",
      'PRAGMA user_version = 99',
    ]) {
      expect(() => reader.exec(sql), sql).toThrow(/readonly|read-only|attempt to write|unable to open/i);
    }
    expect(platform.workspaces.profile(workspace.id).displayName).toBe('Read Only Co');
  });

  it('[CRY-01] the handle cache stays within its bound and reopens evicted workspaces transparently', async () => {
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await platform.workspaces.create(`Cache ${i}`, operator));
    for (const workspace of created) expect(platform.workspaces.profile(workspace.id).displayName).toMatch(/^Cache \d$/);
    for (const workspace of created) {
      await platform.workspaces.updateProfile(workspace.id, { description: `seen ${workspace.id}` }, operator);
    }
    for (const workspace of created) {
      expect(platform.workspaces.profile(workspace.id).description).toBe(`seen ${workspace.id}`);
      expect(platform.workspaces.verifyAudit(workspace.id).ok).toBe(true);
    }
  });

  it('migrations are forward-only: a file from a newer Enclave is refused', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'enclave-migrate-')), 'x.db');
    const key = randomBytes(32);
    const db = openEncryptedDatabase(path, { key });
    const steps = [{ name: 'one', sql: 'CREATE TABLE one (x)' }];
    expect(migrate(db, 'test', steps)).toBe(1);
    expect(migrate(db, 'test', steps)).toBe(1);
    db.pragma('user_version = 5');
    expect(() => migrate(db, 'test', steps)).toThrow(MigrationError);
    db.close();
    expect(() => openEncryptedDatabase(path, { key: randomBytes(32) })).toThrow(DatabaseKeyError);
  });
});
