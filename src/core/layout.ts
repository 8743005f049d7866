import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DIR_MODE } from './database.ts';
import { isId } from './ids.ts';

/**
 * Where everything lives under the data directory. Workspace paths are built only from
 * ids that pass the id pattern, so no request value can steer a path (ACC-03).
 */
export function controlDir(dataDir: string): string {
  return join(dataDir, 'control');
}

export function controlDatabasePath(dataDir: string): string {
  return join(controlDir(dataDir), 'control.db');
}

export function workspacesDir(dataDir: string): string {
  return join(dataDir, 'workspaces');
}

export function workspaceDir(dataDir: string, workspaceId: string): string {
  if (!isId('ws', workspaceId)) throw new Error('not a workspace id');
  return join(workspacesDir(dataDir), workspaceId);
}

export function workspaceDatabasePath(dataDir: string, workspaceId: string): string {
  return join(workspaceDir(dataDir, workspaceId), 'workspace.db');
}

/** The one-time token that lets the first person create the owner account (see src/setup/). */
export function setupTokenPath(dataDir: string): string {
  return join(controlDir(dataDir), 'setup-token');
}

export function auditCheckpointPath(directory: string): string {
  return join(directory, 'audit-checkpoints.jsonl');
}

/** Creates the directory layout owner-only (ACC-05) and tightens any directory that is not. */
export function ensureLayout(dataDir: string): void {
  for (const dir of [dataDir, join(dataDir, 'keys'), controlDir(dataDir), workspacesDir(dataDir)]) {
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, DIR_MODE);
  }
}
