import { AppError } from '../core/errors.ts';
import { ENCLAVE_USER_SCHEMA, type ScimPatch } from './schema.ts';
import { roleOf, type ScimUser, type ScimUserFields } from './user-model.ts';

type Operation = ScimPatch['Operations'][number];

const invalidPath = (path: string) => new AppError(400, 'invalid_path', `the path ${JSON.stringify(path.slice(0, 100))} is not one this server can change`);
const invalidValue = (what: string) => new AppError(400, 'invalid_value', `${what} has a value this server cannot use`);

function text(value: unknown, what: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || value.length > 200) throw invalidValue(what);
  return value.trim() === '' ? null : value.trim();
}

/** Entra ID sends booleans as the strings "True" and "False". */
function bool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw invalidValue('active');
}

function roleFromRoles(value: unknown): ScimUserFields['role'] {
  const entries = Array.isArray(value) ? value : [value];
  const chosen = (entries.find((entry) => (entry as { primary?: unknown } | null)?.primary === true) ?? entries[0]) as { value?: unknown } | undefined;
  return roleOf(chosen?.value);
}

const NAME_PARTS = { givenname: 'givenName', familyname: 'familyName', formatted: 'formatted' } as const;
const IGNORED_NAME_PARTS = new Set(['middlename', 'honorificprefix', 'honorificsuffix']);

/** Sets one attribute (a lower-cased path); `remove` is `value === undefined`. */
function set(fields: ScimUserFields, userName: string, path: string, value: unknown, original: string): void {
  const removing = value === undefined;
  switch (path) {
    case 'active':
      if (removing) throw new AppError(400, 'mutability', 'active cannot be removed; set it to false');
      fields.active = bool(value);
      return;
    case 'displayname':
      fields.displayName = removing ? null : text(value, 'displayName');
      return;
    case 'externalid':
      fields.externalId = removing ? null : text(value, 'externalId');
      return;
    case 'username':
      if (typeof value === 'string' && value.trim().toLowerCase() === userName) return;
      throw new AppError(400, 'mutability', 'userName (the email address) cannot be changed through SCIM');
    case 'roles':
    case `${ENCLAVE_USER_SCHEMA.toLowerCase()}:role`:
      if (removing) throw new AppError(400, 'mutability', 'the role cannot be removed; set another one');
      fields.role = path === 'roles' ? roleFromRoles(value) : roleOf(value);
      return;
    case 'name':
      if (removing) {
        fields.givenName = fields.familyName = fields.formatted = null;
        return;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidValue('name');
      for (const [key, part] of Object.entries(value)) set(fields, userName, `name.${key.toLowerCase()}`, part, original);
      return;
  }
  if (path.startsWith('name.')) {
    const part = path.slice('name.'.length);
    if (IGNORED_NAME_PARTS.has(part)) return;
    const field = NAME_PARTS[part as keyof typeof NAME_PARTS];
    if (!field) throw invalidPath(original);
    fields[field] = removing ? null : text(value, `name.${field}`);
    return;
  }
  throw invalidPath(original);
}

/**
 * RFC 7644 3.5.2 PATCH, for the attributes Enclave keeps: active, role, name parts,
 * displayName, externalId. Operations apply in order to a copy; the first one that does
 * not fit throws, so a bad request changes nothing. `add` and `replace` are the same for
 * these single-valued attributes; without a path the value is an object of attributes.
 */
export function applyPatch(user: ScimUser, operations: readonly Operation[]): ScimUserFields {
  const fields: ScimUserFields = {
    externalId: user.externalId,
    givenName: user.givenName,
    familyName: user.familyName,
    formatted: user.formatted,
    displayName: user.displayName,
    role: user.role,
    active: user.active,
  };
  for (const operation of operations) {
    const op = operation.op.toLowerCase();
    if (op === 'remove') {
      if (!operation.path) throw new AppError(400, 'no_target', 'remove needs a path');
      set(fields, user.userName, operation.path.toLowerCase(), undefined, operation.path);
      continue;
    }
    if (operation.value === undefined) throw invalidValue(operation.path ?? 'the operation');
    if (operation.path) {
      set(fields, user.userName, operation.path.toLowerCase(), operation.value, operation.path);
      continue;
    }
    const value = operation.value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidValue('an operation without a path');
    for (const [key, attribute] of Object.entries(value)) {
      if (attribute === undefined) continue;
      if (key === ENCLAVE_USER_SCHEMA) {
        if (typeof attribute !== 'object' || attribute === null) throw invalidValue(key);
        for (const [inner, innerValue] of Object.entries(attribute)) set(fields, user.userName, `${key}:${inner}`.toLowerCase(), innerValue, `${key}:${inner}`);
        continue;
      }
      set(fields, user.userName, key.toLowerCase(), attribute, key);
    }
  }
  return fields;
}
