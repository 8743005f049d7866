import { hkdfSync } from 'node:crypto';
import { aeadOpen, aeadSeal } from '../core/aead.ts';

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
    return aeadSeal(this.#key(workspaceId), aad(workspaceId, connectionId), Buffer.from(plaintext, 'utf8'));
  }

  open(workspaceId: string, connectionId: string, sealed: Buffer): string {
    return aeadOpen(this.#key(workspaceId), aad(workspaceId, connectionId), sealed).toString('utf8');
  }

  #key(workspaceId: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#vaultKey(workspaceId), 'enclave:sso', 'enclave:sso:connection-secret:v1', 32));
  }
}

function aad(workspaceId: string, connectionId: string): Buffer {
  return Buffer.from(`${workspaceId}\n${connectionId}`);
}
