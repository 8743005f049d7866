import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import { ENCLAVE_USER_SCHEMA, PROVISIONED_ROLES, type ProvisionedRole, type ScimUserInput } from './schema.ts';

/** What a workspace's directory may set on a person it provisions. */
export interface ScimUserFields {
  externalId: string | null;
  givenName: string | null;
  familyName: string | null;
  formatted: string | null;
  displayName: string | null;
  role: ProvisionedRole;
  active: boolean;
}

/** The workspace's provisioning record of a person: the SCIM User resource. */
export interface ScimUser extends ScimUserFields {
  userId: string;
  /** The account's email address, lower-cased. */
  userName: string;
  /** True when this workspace's directory created the account, and so may disable it. */
  managed: boolean;
  createdAt: string;
  updatedAt: string;
}

const emailSchema = z.email().max(254);

/** SCIM userName is the email address; compared without case (RFC 7643 userName is caseExact=false). */
export function userNameOf(value: string): string {
  const email = value.trim().toLowerCase();
  if (!emailSchema.safeParse(email).success) throw new AppError(400, 'invalid_value', 'userName must be the person’s email address');
  return email;
}

export function roleOf(value: unknown): ProvisionedRole {
  if (typeof value === 'string' && (PROVISIONED_ROLES as readonly string[]).includes(value)) return value as ProvisionedRole;
  throw new AppError(400, 'invalid_value', `role must be one of ${PROVISIONED_ROLES.join(', ')}; owners are not provisioned through SCIM`);
}

/** The role a User body asks for: the Enclave extension first, then the primary (or only) entry of `roles`. */
export function requestedRole(input: ScimUserInput): ProvisionedRole | undefined {
  const fromExtension = input[ENCLAVE_USER_SCHEMA]?.role;
  if (fromExtension !== undefined) return roleOf(fromExtension);
  const roles = input.roles ?? [];
  const chosen = roles.find((role) => role.primary) ?? roles[0];
  return chosen === undefined ? undefined : roleOf(chosen.value);
}

const orNull = (value: string | undefined) => (value === undefined || value.trim() === '' ? null : value.trim());

/** The fields a full User body sets (POST, PUT); `active` and the role only when the body has them. */
export function fieldsOf(input: ScimUserInput): Omit<ScimUserFields, 'role' | 'active'> & { role?: ProvisionedRole; active?: boolean } {
  const role = requestedRole(input);
  return {
    externalId: orNull(input.externalId),
    givenName: orNull(input.name?.givenName),
    familyName: orNull(input.name?.familyName),
    formatted: orNull(input.name?.formatted),
    displayName: orNull(input.displayName),
    ...(role === undefined ? {} : { role }),
    ...(input.active === undefined ? {} : { active: input.active }),
  };
}

/** The account's display name, as the directory would show it. */
export function accountNameOf(user: Pick<ScimUser, 'displayName' | 'formatted' | 'givenName' | 'familyName' | 'userName'>): string {
  const joined = [user.givenName, user.familyName].filter(Boolean).join(' ');
  const name = user.displayName ?? user.formatted ?? (joined || user.userName.slice(0, user.userName.indexOf('@')));
  return name.slice(0, 100);
}
