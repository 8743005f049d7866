/**
 * DAT-01: the export archive's documented format. Bump FORMAT_VERSION whenever a file's
 * shape changes in a way a reader would notice; README.txt in every archive describes it.
 */
export const FORMAT = 'enclave-export';
export const FORMAT_VERSION = 1;

export type ArchiveKind = 'workspace' | 'personal';

export const SECRETS_NOTE =
  'No secret material is in this archive: API keys, SCIM tokens, pairing tokens, agents, vault credentials, SSO connections, sessions, MFA factors and passkeys are listed by their metadata only, never with a secret, a token, a hash of one, a key or a ciphertext. A hint is at most the last few characters of a secret, for recognising it.';

export interface ManifestFile {
  path: string;
  bytes: number;
  lines: number;
  sha256: string;
}

export interface ExportManifest {
  format: typeof FORMAT;
  formatVersion: number;
  kind: ArchiveKind;
  createdAt: string;
  /** The workspace (id, name) or the person (id, email) the archive is about. */
  subject: { workspaceId: string; name: string } | { userId: string; email: string };
  secrets: string;
  files: ManifestFile[];
}

const COMMON = `FORMAT
An uncompressed POSIX tar archive (format "${FORMAT}", version ${FORMAT_VERSION}). Every .jsonl file
holds JSON Lines (https://jsonlines.org): UTF-8, one JSON object per line, each line ending
in a newline. Times are ISO 8601 in UTC.

ORDER AND CHECKSUMS
The archive is written while it is downloaded, so manifest.json comes LAST: it lists every
other file (this README included) with its size in bytes, its number of lines and its
SHA-256, and could only be written once they were. Check a download with, for example:
  tar -xf export.tar && sha256sum <file>   (compare with manifest.json)
manifest.json also names the format version, what the archive is about and when it was made.

SECRETS
${SECRETS_NOTE}
`;

const WORKSPACE_FILES = `FILES
README.txt               this description
workspace.jsonl          one line: the workspace (id, name, createdAt, profile, MFA policy)
datasets.jsonl           one line per dataset: name, columns, primaryKey, rowCount, file
datasets/<name>.jsonl    every row of that dataset, whole (sensitive columns unmasked),
                         as an object of column name to value, in primary-key order
members.jsonl            one line per member: id, email, name, role, joinedAt
invitations.jsonl        pending invitations: id, email, role, createdAt, expiresAt
api-keys.jsonl           API key metadata: id, name, role, hint, created/expires/lastUsed/revoked
agents.jsonl             paired sync agents: id, name, pairedAt, lastSeenAt, revokedAt
pairing-tokens.jsonl     unused agent pairing tokens: id, name, createdAt, expiresAt
scim-tokens.jsonl        SCIM token metadata: id, name, hint, createdAt, lastUsedAt, revokedAt
credentials.jsonl        vault credential metadata: id, name, kind, preset, hint, scopes, disabled
sso-domains.jsonl        domains claimed for single sign-on, with their DNS proof and verifiedAt
sso-connections.jsonl    identity provider connections (issuer, client id or SAML metadata,
                         default role); never the client secret
audit-log.jsonl          every event of the workspace's audit log, oldest first, with the
                         hash chain (prevHash, hash) that lets the log be verified
manifest.json            written last; see above
`;

const PERSONAL_FILES = `FILES
README.txt               this description
profile.jsonl            one line: your account (id, email, name, emailVerified, createdAt)
memberships.jsonl        the workspaces you belong to, with your role in each
sessions.jsonl           your signed-in sessions: id, device (user agent), IP address, times
mfa.jsonl                one line: whether an authenticator app is set up, backup codes left
passkeys.jsonl           your passkeys: id, name, times, device type, backed up, transports
linked-identities.jsonl  sign-in methods linked to the account: provider, createdAt
audit-log.jsonl          the account events (control audit log) where you are the actor or
                         the subject, oldest first
manifest.json            written last; see above
`;

export function readme(kind: ArchiveKind): string {
  const title = kind === 'workspace' ? 'Enclave workspace export' : 'Enclave personal data export';
  return `${title}\n${'='.repeat(title.length)}\n\n${COMMON}\n${kind === 'workspace' ? WORKSPACE_FILES : PERSONAL_FILES}`;
}
