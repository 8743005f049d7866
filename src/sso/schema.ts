import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { idPattern } from '../core/ids.ts';

/** Lower-case ASCII host names with at least two labels; internationalised names go in their `xn--` form. */
const DOMAIN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const domainNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(DOMAIN, 'must be a domain name such as example.com');

export const connectionIdSchema = z.string().regex(idPattern('sso'), 'must be an SSO connection id');

/** Just-in-time members join with one of these: never as owner, never as an automation role. */
export const JIT_ROLES = ['admin', 'builder', 'viewer'] as const;
export const jitRoleSchema = z.enum(JIT_ROLES);

/** The TXT record a domain's owner publishes, and whether it has been seen. The value is public by nature. */
export const ssoDomainSchema = z.strictObject({
  domain: z.string(),
  txtName: z.string(),
  txtValue: z.string(),
  verifiedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type SsoDomain = z.infer<typeof ssoDomainSchema>;

export const addDomainSchema = z.strictObject({ domain: domainNameSchema });

/** An IdP's URL: https, or http only to this machine (an IdP run beside Enclave for development and tests). */
const idpUrlSchema = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .refine((value) => {
    const url = new URL(value);
    return url.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  }, 'must be an https URL');

function isCertificate(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return pem.includes('-----BEGIN CERTIFICATE-----');
  } catch {
    return false;
  }
}

const oidcConnectionInput = z.strictObject({
  protocol: z.literal('oidc'),
  issuer: idpUrlSchema,
  clientId: z.string().min(1).max(500),
  clientSecret: z.string().min(1).max(2000),
  defaultRole: jitRoleSchema,
});

const samlConnectionInput = z.strictObject({
  protocol: z.literal('saml'),
  idpEntityId: z.string().trim().min(1).max(1000),
  ssoUrl: idpUrlSchema,
  idpCertificate: z.string().trim().max(20_000).refine(isCertificate, 'must be a PEM X.509 certificate'),
  defaultRole: jitRoleSchema,
});

export const createConnectionSchema = z.discriminatedUnion('protocol', [oidcConnectionInput, samlConnectionInput]);
export type CreateConnection = z.infer<typeof createConnectionSchema>;

const connectionBase = {
  id: z.string(),
  domain: z.string(),
  defaultRole: jitRoleSchema,
  createdAt: z.string(),
};

/** A connection as its owners see it: what to configure at the IdP, never the secret or certificate it was given. */
export const ssoConnectionSchema = z.discriminatedUnion('protocol', [
  z.strictObject({
    ...connectionBase,
    protocol: z.literal('oidc'),
    issuer: z.string(),
    clientId: z.string(),
    redirectUri: z.string(),
  }),
  z.strictObject({
    ...connectionBase,
    protocol: z.literal('saml'),
    idpEntityId: z.string(),
    ssoUrl: z.string(),
    /** SHA-256 fingerprint of the IdP certificate, so an owner can check which one is in use. */
    idpCertificateSha256: z.string(),
    spEntityId: z.string(),
    acsUrl: z.string(),
  }),
]);
export type SsoConnection = z.infer<typeof ssoConnectionSchema>;

export const ssoOverviewSchema = z.strictObject({
  domains: z.array(ssoDomainSchema),
  connections: z.array(ssoConnectionSchema),
});
