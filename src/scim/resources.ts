import { ENCLAVE_USER_SCHEMA, LIST_RESPONSE, MAX_RESULTS, PROVISIONED_ROLES, USER_SCHEMA } from './schema.ts';
import type { ScimUser } from './user-model.ts';

/** SCIM documents as RFC 7643/7644 shape them. `base` is the public URL of /scim/v2. */

export function userResource(user: ScimUser, base: string) {
  const name = {
    ...(user.givenName === null ? {} : { givenName: user.givenName }),
    ...(user.familyName === null ? {} : { familyName: user.familyName }),
    ...(user.formatted === null ? {} : { formatted: user.formatted }),
  };
  return {
    schemas: [USER_SCHEMA, ENCLAVE_USER_SCHEMA],
    id: user.userId,
    ...(user.externalId === null ? {} : { externalId: user.externalId }),
    userName: user.userName,
    ...(Object.keys(name).length === 0 ? {} : { name }),
    ...(user.displayName === null ? {} : { displayName: user.displayName }),
    emails: [{ value: user.userName, type: 'work', primary: true }],
    active: user.active,
    roles: [{ value: user.role, primary: true }],
    [ENCLAVE_USER_SCHEMA]: { role: user.role, managed: user.managed },
    meta: { resourceType: 'User', created: user.createdAt, lastModified: user.updatedAt, location: `${base}/Users/${user.userId}` },
  };
}

export function listResponse<T>(resources: T[], total: number, startIndex: number) {
  return { schemas: [LIST_RESPONSE], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources };
}

export function serviceProviderConfig(base: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: 'A SCIM token created by a workspace owner (POST /api/w/{workspaceId}/scim/tokens), sent as Authorization: Bearer',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function userResourceType(base: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'A person provisioned into the workspace',
    schema: USER_SCHEMA,
    schemaExtensions: [{ schema: ENCLAVE_USER_SCHEMA, required: false }],
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
  };
}

interface Attribute {
  name: string;
  type: 'string' | 'boolean' | 'complex';
  multiValued?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: 'readOnly' | 'readWrite' | 'immutable';
  uniqueness?: 'none' | 'server';
  canonicalValues?: string[];
  subAttributes?: Attribute[];
  description: string;
}

/** Fills the characteristics RFC 7643 7 requires on every attribute, with its defaults. */
function attribute(spec: Attribute): Record<string, unknown> {
  return {
    name: spec.name,
    type: spec.type,
    multiValued: spec.multiValued ?? false,
    description: spec.description,
    required: spec.required ?? false,
    caseExact: spec.caseExact ?? false,
    mutability: spec.mutability ?? 'readWrite',
    returned: 'default',
    uniqueness: spec.uniqueness ?? 'none',
    ...(spec.canonicalValues ? { canonicalValues: spec.canonicalValues } : {}),
    ...(spec.subAttributes ? { subAttributes: spec.subAttributes.map(attribute) } : {}),
  };
}

const valueOnly = (description: string): Attribute[] => [
  { name: 'value', type: 'string', description },
  { name: 'primary', type: 'boolean', description: 'Whether this is the primary value' },
];

function schema(id: string, name: string, description: string, attributes: Attribute[], base: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    id,
    name,
    description,
    attributes: attributes.map(attribute),
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${id}` },
  };
}

/** Only the attributes Enclave keeps; others a client sends are accepted where listed in src/scim/schema.ts and ignored. */
export function schemas(base: string) {
  return [
    schema(USER_SCHEMA, 'User', 'A person in the workspace', [
      { name: 'userName', type: 'string', required: true, uniqueness: 'server', mutability: 'immutable', description: 'The person’s email address' },
      { name: 'externalId', type: 'string', caseExact: true, description: 'The directory’s own id for the person' },
      {
        name: 'name',
        type: 'complex',
        description: 'The person’s name',
        subAttributes: [
          { name: 'givenName', type: 'string', description: 'Given name' },
          { name: 'familyName', type: 'string', description: 'Family name' },
          { name: 'formatted', type: 'string', description: 'Full name' },
        ],
      },
      { name: 'displayName', type: 'string', description: 'The name shown in Enclave' },
      { name: 'active', type: 'boolean', description: 'False removes the person from the workspace; a managed account is disabled and signed out everywhere' },
      {
        name: 'emails',
        type: 'complex',
        multiValued: true,
        mutability: 'readOnly',
        description: 'The userName, as the primary work address',
        subAttributes: valueOnly('An email address'),
      },
      { name: 'roles', type: 'complex', multiValued: true, description: 'The role in the workspace (the primary entry counts)', subAttributes: valueOnly('A role') },
    ], base),
    schema(ENCLAVE_USER_SCHEMA, 'EnclaveUser', 'Enclave’s workspace membership', [
      { name: 'role', type: 'string', canonicalValues: [...PROVISIONED_ROLES], description: 'The role in the workspace; never owner' },
      { name: 'managed', type: 'boolean', mutability: 'readOnly', description: 'Whether this workspace’s directory created the account, and so may disable it' },
    ], base),
  ];
}
