import type { RequestMeta } from '../access/actor.ts';
import { auditEvent } from '../access/audit-event.ts';
import type { AuditLog } from '../audit/log.ts';
import { statement, type SqliteDatabase } from '../core/database.ts';
import { AppError } from '../core/errors.ts';
import type { SignUpInput, User } from '../identity/schema.ts';
import type { IdentityService } from '../identity/service.ts';
import type { Membership } from '../members/schema.ts';
import type { MemberService } from '../members/service.ts';
import { ensureSetupToken, matchesSetupToken, removeSetupToken } from './setup-token.ts';

export interface SetupInput extends SignUpInput {
  token: string;
  workspaceName: string;
}

export interface SetupDeps {
  controlDb: SqliteDatabase;
  controlAudit: AuditLog;
  identity: IdentityService;
  members: MemberService;
  tokenPath: string;
}

/**
 * First run: while the server has no account at all, whoever holds the setup token from
 * the data directory creates the owner account and its first workspace, and is signed in.
 * Once any account exists the route refuses, whoever asks.
 */
export class SetupService {
  readonly #deps: SetupDeps;
  /** Setups run one at a time, so two racing requests cannot both find the server empty. */
  #running: Promise<unknown> = Promise.resolve();

  constructor(deps: SetupDeps) {
    this.#deps = deps;
  }

  needed(): boolean {
    return statement(this.#deps.controlDb, 'SELECT NOT EXISTS (SELECT 1 FROM "user")').pluck().get() === 1;
  }

  /** Writes the token file while setup is needed, and removes a leftover one once it is not. */
  prepare(): { tokenPath: string } | undefined {
    if (!this.needed()) {
      removeSetupToken(this.#deps.tokenPath);
      return undefined;
    }
    ensureSetupToken(this.#deps.tokenPath);
    return { tokenPath: this.#deps.tokenPath };
  }

  complete(input: SetupInput, meta: RequestMeta): Promise<{ user: User; workspace: Membership; setCookie: string }> {
    const run = this.#running.then(() => this.#complete(input, meta));
    this.#running = run.catch(() => undefined);
    return run;
  }

  async #complete(input: SetupInput, meta: RequestMeta) {
    const { identity, members, controlAudit, tokenPath } = this.#deps;
    if (!this.needed()) throw new AppError(409, 'setup_complete', 'this server is set up already: sign in instead');
    if (!matchesSetupToken(tokenPath, input.token)) {
      await controlAudit.record(auditEvent(meta, 'setup.complete', { type: 'server', id: 'setup' }, {}, 'denied'));
      throw new AppError(403, 'setup_token_invalid', 'that is not the setup token from this server\'s data directory');
    }
    const user = await identity.createVerifiedUser({ email: input.email, name: input.name, password: input.password }, meta);
    removeSetupToken(tokenPath);
    const session = await identity.openSession(user.id, meta, 'setup');
    // The workspace is created by the new owner in this same request; audit events name the
    // person, not the session, so no session id is needed to act for them.
    const ownerMeta = { ...meta, actor: { type: 'user' as const, id: user.id, sessionId: '' } };
    const workspace = await members.createWorkspace(input.workspaceName, ownerMeta);
    await controlAudit.record(auditEvent(ownerMeta, 'setup.complete', { type: 'user', id: user.id }, { workspaceId: workspace.id }));
    return { user: session.user, workspace, setCookie: session.setCookie };
  }
}
