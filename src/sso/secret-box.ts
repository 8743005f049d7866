import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * What an SSO connection must keep but never show again (an OIDC client secret, a SAML
 * IdP's signing certificate) is sealed with AES-256-GCM under a key of its own, derived
 * from the workspace's vault key: it is readable only while the workspace's key seed
 * exists (CRY-04), and the workspace and connection ids are the associated data, so a
 * sealed value copied to another row does not open.
 */
export class ConnectionSecretBox {
  readonly #vaultKey: (workspaceId: string) => Buffer;

  constructor(vaultKey: (workspaceId: string) => Buffer) {
    this.#vaultKey = vaultKey;
  }

  seal(workspaceId: string, connectionId: string, plaintext: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key(workspaceId), iv).setAAD(aad(workspaceId, connectionId));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  open(workspaceId: string, connectionId: string, sealed: Buffer): string {
    const decipher = createDecipheriv('aes-256-gcm', this.#key(workspaceId), sealed.subarray(0, 12)).setAAD(aad(workspaceId, connectionId));
    decipher.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
  }

  #key(workspaceId: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#vaultKey(workspaceId), 'enclave:sso', 'enclave:sso:connection-secret:v1', 32));
  }
}

function aad(workspaceId: string, connectionId: string): Buffer {
  return Buffer.from(`${workspaceId}\n${connectionId}`);
}
