/** Where the authorization server's endpoints live; the MCP endpoint is the only resource. */
export const OAUTH_ROUTES = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  registration: '/oauth/register',
  revocation: '/oauth/revoke',
  jwks: '/oauth/jwks',
  end_session: '/oauth/logout',
} as const;

/** The dashboard's consent page; its JSON companions live under it, where the interaction cookie is sent. */
export const INTERACTION_PATH = '/oauth/interaction';

export const MCP_PATH = '/mcp';

/** RFC 9728: the protected resource's metadata, at the well-known path suffixed with the resource's path. */
export const PROTECTED_RESOURCE_METADATA_PATH = `/.well-known/oauth-protected-resource${MCP_PATH}`;

export function protectedResourceMetadataUrl(origin: string): string {
  return `${origin}${PROTECTED_RESOURCE_METADATA_PATH}`;
}
