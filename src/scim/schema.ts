import { z } from 'zod';
import { ROLES } from '../access/permissions.ts';
import { idPattern } from '../core/ids.ts';
import { passwordSchema } from '../identity/schema.ts';

export const scimTokenIdSchema = z.string().regex(idPattern('scim'), 'must be a SCIM token id');

export const createScimTokenSchema = z.strictObject({ name: z.string().trim().min(1).max(100) });
export type CreateScimTokenInput = z.infer<typeof createScimTokenSchema>;

export const scimTokenSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  hint: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ScimToken = z.infer<typeof scimTokenSchema>;

export const createdScimTokenSchema = z.strictObject({
  scimToken: scimTokenSchema,
  /** Shown exactly once; only its SHA-256 is stored. */
  token: z.string(),
});

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
/** Enclave's own User extension: the member's role in the workspace. */
export const ENCLAVE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enclave:2.0:User';
/** Sent by Entra ID and Okta; accepted and not stored. */
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** Every role but owner: owners are made in Enclave by an owner, never by a directory. */
export const PROVISIONED_ROLES = ROLES.filter((role) => role !== 'owner');
export type ProvisionedRole = Exclude<(typeof ROLES)[number], 'owner'>;

const text = (max: number) => z.string().max(max);
const schemasIncluding = (urn: string) =>
  z.array(z.string().max(200)).max(10).refine((schemas) => schemas.includes(urn), `schemas must include ${urn}`);

const nameSchema = z.strictObject({
  givenName: text(100).optional(),
  familyName: text(100).optional(),
  formatted: text(200).optional(),
  middleName: text(100).optional(),
  honorificPrefix: text(50).optional(),
  honorificSuffix: text(50).optional(),
});

const multiValued = z.strictObject({
  value: text(254),
  type: text(50).optional(),
  primary: z.boolean().optional(),
  display: text(200).optional(),
});

/**
 * A User as a directory sends it (POST and PUT). Strict: the core attributes clients
 * commonly send are accepted (those Enclave does not keep are ignored), anything else is
 * refused. `userName` is the person's email address; the role comes from the Enclave
 * extension or the first of `roles`. A password counts only when the account is created.
 */
export const scimUserInputSchema = z.strictObject({
  schemas: schemasIncluding(USER_SCHEMA),
  id: text(100).optional(),
  externalId: text(256).optional(),
  userName: text(254),
  name: nameSchema.optional(),
  displayName: text(200).optional(),
  nickName: text(100).optional(),
  title: text(100).optional(),
  userType: text(100).optional(),
  locale: text(50).optional(),
  timezone: text(100).optional(),
  preferredLanguage: text(50).optional(),
  active: z.boolean().optional(),
  /** RFC 7643 writeOnly: an initial password for an account the directory creates; never returned, never stored but hashed. */
  password: passwordSchema.optional(),
  emails: z.array(multiValued).max(10).optional(),
  roles: z.array(multiValued).max(10).optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
  [ENCLAVE_USER_SCHEMA]: z.strictObject({ role: text(50).optional() }).optional(),
  [ENTERPRISE_USER_SCHEMA]: z.record(z.string(), z.unknown()).optional(),
});
export type ScimUserInput = z.infer<typeof scimUserInputSchema>;

export const scimPatchSchema = z.strictObject({
  schemas: schemasIncluding(PATCH_OP),
  Operations: z
    .array(
      z.strictObject({
        op: z.string().regex(/^(add|replace|remove)$/i, 'op must be add, replace or remove'),
        path: text(200).optional(),
        value: z.unknown().optional(),
      }),
    )
    .min(1)
    .max(50),
});
export type ScimPatch = z.infer<typeof scimPatchSchema>;

/** The most Users one page holds (ServiceProviderConfig's filter.maxResults). */
export const MAX_RESULTS = 200;
/** RFC 7644 3.4.2: startIndex is 1-based (lower means 1), count is capped; anything but an integer is refused, as is any other parameter. */
export const scimListQuerySchema = z.strictObject({
  filter: text(500).optional(),
  startIndex: z.coerce.number().int().optional(),
  count: z.coerce.number().int().optional(),
});

export const scimIdParams = z.strictObject({ id: text(100) });
