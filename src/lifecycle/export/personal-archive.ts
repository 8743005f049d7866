import type { UserActor } from '../../access/actor.ts';
import type { AuditEvent } from '../../audit/event.ts';
import { listEvents, MAX_EVENT_PAGE } from '../../audit/store.ts';
import type { SqliteDatabase } from '../../core/database.ts';
import type { IdentityService } from '../../identity/service.ts';
import type { User } from '../../identity/schema.ts';
import type { SessionService } from '../../identity/sessions.ts';
import type { MemberService } from '../../members/service.ts';
import type { MfaService } from '../../mfa/service.ts';
import type { PasskeyService } from '../../passkeys/service.ts';
import type { ArchiveWriter } from './archive.ts';
import { readme } from './format.ts';

/** What a personal archive reads; each source answers with metadata only (see format.ts). */
export interface PersonalSources {
  identity: Pick<IdentityService, 'linkedIdentities'>;
  sessions: Pick<SessionService, 'list'>;
  members: Pick<MemberService, 'workspacesOf'>;
  mfa: Pick<MfaService, 'status'>;
  passkeys: Pick<PasskeyService, 'list'>;
}

/** Everything held about one person, from the control database; `controlDb` is read for the account's audit events. */
export async function writePersonalArchive(writer: ArchiveWriter, sources: PersonalSources, user: User, actor: UserActor, controlDb: SqliteDatabase): Promise<void> {
  await writer.addText('README.txt', readme('personal'));
  await writer.addLines('profile.jsonl', () => [user]);
  const memberships = sources.members.workspacesOf(user.id);
  await writer.addLines('memberships.jsonl', () => memberships);
  const sessions = sources.sessions.list(actor);
  await writer.addLines('sessions.jsonl', () => sessions);
  const mfa = sources.mfa.status(user.id);
  await writer.addLines('mfa.jsonl', () => [mfa]);
  const passkeys = sources.passkeys.list(user.id);
  await writer.addLines('passkeys.jsonl', () => passkeys);
  const links = sources.identity.linkedIdentities(user.id);
  await writer.addLines('linked-identities.jsonl', () => links);
  const events = accountEvents(controlDb, user.id);
  await writer.addLines('audit-log.jsonl', () => events);
}

/**
 * The control log's events where the person acts or is acted on. The log has no index by
 * target (see listEvents), so this walks it once; the result is one person's, and small.
 */
function accountEvents(db: SqliteDatabase, userId: string): AuditEvent[] {
  const theirs: AuditEvent[] = [];
  let afterSeq = 0;
  for (;;) {
    const page = listEvents(db, { afterSeq, limit: MAX_EVENT_PAGE });
    for (const event of page) {
      const acts = event.actor.type === 'user' && event.actor.id === userId;
      const actedOn = event.target?.type === 'user' && event.target.id === userId;
      if (acts || actedOn) theirs.push(event);
    }
    if (page.length < MAX_EVENT_PAGE) return theirs;
    afterSeq = page.at(-1)!.seq;
  }
}
