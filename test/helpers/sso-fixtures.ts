import { randomUUID } from 'node:crypto';
import type { TestDnsServer } from './dns-server.ts';
import type { TestServer } from './server.ts';

const setupMeta = { actor: { type: 'operator' as const, id: 'test-setup' } };

/**
 * Path targets for a workspace's SSO routes (IDN-06), set up through the services as an
 * owner would, with the TXT records published on the test's DNS server: `domain` is
 * verified and has no connection; `connectionId` is a SAML connection on a second domain.
 */
export async function ssoTargets(enclave: TestServer, dns: TestDnsServer, workspaceId: string, certificate: string): Promise<{ domain: string; connectionId: string }> {
  const sso = enclave.server.platform.sso;
  const [domain, connected] = [`d${randomUUID().slice(0, 8)}.matrix.test`, `c${randomUUID().slice(0, 8)}.matrix.test`];
  for (const name of [domain, connected]) {
    const claim = await sso.domains.add(workspaceId, name, setupMeta);
    dns.setTxt(claim.txtName, [claim.txtValue]);
    await sso.domains.verify(workspaceId, name, setupMeta);
  }
  const connection = await sso.connections.create(
    workspaceId,
    connected,
    { protocol: 'saml', idpEntityId: 'https://idp.matrix.test', ssoUrl: 'https://idp.matrix.test/sso', idpCertificate: certificate, defaultRole: 'viewer' },
    enclave.url,
    setupMeta,
  );
  return { domain, connectionId: connection.id };
}
