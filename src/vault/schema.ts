import { z } from 'zod';
import { idPattern } from '../core/ids.ts';

export const credentialIdSchema = z.string().regex(idPattern('cred'), 'must be a credential id');

const value = z.string().min(1).max(8192);
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'must be an HTTP header name');

/** What a credential holds, by kind. The whole object is the sealed secret; none of it is ever returned. */
export const secretSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('bearer'), token: value }),
  z.strictObject({ kind: z.literal('header'), header: headerName, value }),
  z.strictObject({ kind: z.literal('basic'), username: z.string().min(1).max(512), password: value }),
  z.strictObject({ kind: z.literal('oauth_client'), clientId: z.string().min(1).max(512), clientSecret: value, tokenUrl: z.url({ protocol: /^https$/ }) }),
]);
export type Secret = z.infer<typeof secretSchema>;
export type CredentialKind = Secret['kind'];

const nameSegment = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$/, 'must be a workflow or node name');

/** VLT-02: the workflows (and optionally the single nodes in them) allowed to use a credential. Empty means none. */
export const scopeSchema = z.strictObject({ workflow: nameSegment, node: nameSegment.optional() });
export type CredentialScope = z.infer<typeof scopeSchema>;
export const scopesSchema = z.array(scopeSchema).max(100);

export const createCredentialSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  preset: z.string().regex(/^[a-z0-9-]{1,40}$/).optional(),
  secret: secretSchema,
  scopes: scopesSchema.default([]),
});
export type CreateCredential = z.infer<typeof createCredentialSchema>;

export const updateCredentialSchema = z
  .strictObject({ name: z.string().trim().min(1).max(100), scopes: scopesSchema, disabled: z.boolean() })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'change at least one of name, scopes, disabled');
export type UpdateCredential = z.infer<typeof updateCredentialSchema>;

export const replaceSecretSchema = z.strictObject({ secret: secretSchema });

/** VLT-03: everything a read route may say about a credential; the secret is not a field of it. */
export const credentialSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['bearer', 'header', 'basic', 'oauth_client']),
  preset: z.string().nullable(),
  /** The last characters of the secret at most, for recognising it. */
  hint: z.string(),
  scopes: z.array(scopeSchema),
  disabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Credential = z.infer<typeof credentialSchema>;
