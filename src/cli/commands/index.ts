import type { Command } from '../command.ts';
import { agentPairCommand, agentRunCommand } from './agent.ts';
import { auditExportCommand } from './audit-export.ts';
import { backupCommand } from './backup.ts';
import { exportCommand } from './export.ts';
import { apiKeysCreateCommand, apiKeysListCommand, apiKeysRevokeCommand } from './api-keys.ts';
import { initCommand } from './init.ts';
import { keysShowCommand } from './keys-show.ts';
import { redactCommand } from './redact.ts';
import { restoreDrillCommand } from './restore-drill.ts';
import { rotateKeysCommand } from './rotate-keys.ts';
import { serveCommand } from './serve.ts';
import { verifyAuditCommand } from './verify-audit.ts';
import { usersCreateCommand } from './users.ts';
import { workspacesAddMemberCommand, workspacesCreateCommand, workspacesListCommand } from './workspaces.ts';

export const COMMANDS: readonly Command[] = [
  serveCommand,
  initCommand,
  workspacesCreateCommand,
  workspacesListCommand,
  workspacesAddMemberCommand,
  usersCreateCommand,
  apiKeysCreateCommand,
  apiKeysListCommand,
  apiKeysRevokeCommand,
  keysShowCommand,
  verifyAuditCommand,
  auditExportCommand,
  redactCommand,
  agentPairCommand,
  agentRunCommand,
  backupCommand,
  restoreDrillCommand,
  rotateKeysCommand,
  exportCommand,
];
