/** The shapes of Enclave's public API as the dashboard uses them (see /openapi.json on the server). */

export const ROLES = ['owner', 'admin', 'builder', 'viewer', 'workflow-only', 'agent-only'] as const;
export type Role = (typeof ROLES)[number];

export interface Health {
  status: 'ok';
  version: string;
  mode: 'development' | 'production';
}

export interface Workspace {
  id: string;
  name: string;
  createdAt: string;
}

export interface Profile {
  workspaceId: string;
  displayName: string;
  description: string;
  updatedAt: string;
}

export interface ProfileUpdate {
  displayName?: string;
  description?: string;
}

export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  /** The first characters of the key, enough to tell keys apart. */
  hint: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface NewApiKey {
  name: string;
  role: Role;
  expiresAt?: string;
}

export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The secret itself; the server keeps only its hash and never returns it again. */
  token: string;
}

export interface AuditEvent {
  seq: number;
  id: string;
  occurredAt: string;
  actor: { type: string; id: string };
  action: string;
  target: { type: string; id: string } | null;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditEventPage {
  events: AuditEvent[];
  /** The cursor for the next page, or null when this page reached the end of the log. */
  nextAfter: number | null;
}

/** Narrows the log on the server; empty fields match everything. */
export interface AuditFilter {
  /** An exact action, or ''. */
  action: string;
  /** `type:id` of an actor, or ''. */
  actor: string;
  /** ISO 8601 instants, or ''. */
  since: string;
  until: string;
}

/** The actions and actors present in the log, to choose filters from. */
export interface AuditFacets {
  actions: string[];
  actors: { type: string; id: string }[];
}

export interface AuditVerification {
  ok: boolean;
  events: number;
  checkpoints: number;
  firstBadSeq?: number;
  problem?: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
  emailVerified: boolean;
  createdAt: string;
}

/** One signed-in browser or device of the current person. */
export interface SessionSummary {
  id: string;
  userAgent: string | null;
  ipAddress: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  /** The session this dashboard is using. */
  current: boolean;
}

/** A workspace as its member sees it in their list, with their own role. */
export interface Membership extends Workspace {
  role: Role;
}

export interface Member {
  userId: string;
  email: string;
  name: string;
  role: Role;
  createdAt: string;
  updatedAt: string;
}

/** A pending invitation as managers see it; its token exists only in the mail. */
export interface Invitation {
  id: string;
  email: string;
  role: Role;
  createdAt: string;
  expiresAt: string;
}
