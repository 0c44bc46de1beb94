// A tiny OpenID provider for bondline's sign-in tests (npm `oidc-provider`, in-memory, plain HTTP on 127.0.0.1).
//
// Environment: PORT (required), AUDIENCE (the API's resource indicator, default "urn:bondline:api"),
// DESK_REDIRECT_URI and DESK_POST_LOGOUT_URI (the desk client's URLs), TOKEN_TTL (access tokens' seconds, 600), PARTNER_CLIENTS (JSON
// {"client id": {"secret": "...", "owner_id": "..."}}), USERS (JSON {"login": ["role", ...]}).
// Clients: "desk" (authorization_code + PKCE, public) and the partner clients (client_credentials). Access tokens
// are JWTs for AUDIENCE carrying `roles` and, for partners, `owner_id`. POST /_test/rotate?alg=ES256 replaces the
// signing key with a new one (new kid); POST /_test/stop ends the process. Prints "ready <issuer>" when listening.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const audience = process.env.AUDIENCE || 'urn:bondline:api';
const partners = JSON.parse(process.env.PARTNER_CLIENTS || '{}');
const users = JSON.parse(process.env.USERS || '{"ann": ["dispatcher"]}');
const state = { alg: 'RS256', keys: [newKey('RS256')] };
const tokenTTL = Number(process.env.TOKEN_TTL || 600);

function newKey(alg) {
  const options = alg === 'ES256' ? ['ec', { namedCurve: 'P-256' }] : ['rsa', { modulusLength: 2048 }];
  const { privateKey } = generateKeyPairSync(...options);
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg, use: 'sig' };
}

function clients() {
  const desk = {
    client_id: 'desk', token_endpoint_auth_method: 'none', id_token_signed_response_alg: state.alg, grant_types: ['authorization_code'],
    response_types: ['code'], redirect_uris: [process.env.DESK_REDIRECT_URI || 'http://127.0.0.1/desk/auth/callback'],
    post_logout_redirect_uris: [process.env.DESK_POST_LOGOUT_URI || 'http://127.0.0.1/desk/login'],
  };
  const machines = Object.entries(partners).map(([id, p]) => ({
    client_id: id, client_secret: p.secret, grant_types: ['client_credentials'], response_types: [],
    redirect_uris: [], id_token_signed_response_alg: state.alg, owner_id: p.owner_id, bondline_roles: p.roles || ['partner'],
  }));
  return [desk, ...machines];
}

function configuration() {
  return {
    clients: clients(),
    extraClientMetadata: { properties: ['owner_id', 'bondline_roles'] },
    jwks: { keys: state.keys },
    cookies: { keys: ['bondline-test-cookie-key'] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], profile: ['name', 'roles'] },
    findAccount: async (ctx, id) => (users[id] ? {
      accountId: id, claims: async () => ({ sub: id, name: id, roles: users[id] }),
    } : undefined),
    loadExistingGrant: async (ctx) => {  // the desk is first-party: no consent screen
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid profile');
      grant.addResourceScope(audience, 'api');
      await grant.save();
      return grant;
    },
    extraTokenClaims: async (ctx, token) => {
      if (token.kind === 'ClientCredentials') {
        const client = await ctx.oidc.provider.Client.find(token.clientId);
        return { owner_id: client.owner_id, roles: client.bondline_roles };
      }
      return token.accountId ? { roles: users[token.accountId] || [] } : undefined;
    },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resource) => {
          if (resource !== audience) throw new Error(`unknown resource ${resource}`);
          return { scope: 'api', audience, accessTokenFormat: 'jwt', accessTokenTTL: tokenTTL, jwt: { sign: { alg: state.alg } } };
        },
      },
    },
    ttl: { AccessToken: tokenTTL, ClientCredentials: tokenTTL, IdToken: 600, Session: 3600, Grant: 3600, Interaction: 600 },
  };
}

let provider = new Provider(issuer, configuration());

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url.startsWith('/_test/rotate')) {
    state.alg = new URL(req.url, issuer).searchParams.get('alg') || 'RS256';
    state.keys = [newKey(state.alg)];
    provider = new Provider(issuer, configuration());  // the in-memory store is shared: sessions survive
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kid: state.keys[0].kid, alg: state.alg }));
    return;
  }
  if (req.method === 'POST' && req.url === '/_test/stop') {
    res.end('bye');
    server.close(() => process.exit(0));
    return;
  }
  provider.callback()(req, res);
});
server.listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`));
