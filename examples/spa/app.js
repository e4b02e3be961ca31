// A single-page app signing its users in with Keycard through oidc-client-ts: a public client
// (no secret), the authorization code flow with PKCE, a refresh token (offline_access) for
// silent renewal, a call to the resource-service with the access token, and sign-out.
/* global oidc */
const config = window.KEYCARD; // written by serve.mjs: { issuer, clientId }
const users = new oidc.UserManager({
  authority: config.issuer,
  client_id: config.clientId,
  redirect_uri: `${location.origin}/`,
  post_logout_redirect_uri: `${location.origin}/`,
  scope: 'openid profile email offline_access documents:read',
  automaticSilentRenew: true, // renews with the refresh token before the access token expires
});
const $ = (id) => document.getElementById(id);

async function show() {
  const user = await users.getUser();
  $('status').textContent = user ? `Signed in as ${user.profile.email}` : 'Not signed in';
  $('signin').hidden = !!user;
  for (const id of ['call', 'refresh', 'signout']) $(id).hidden = !user;
}

$('signin').onclick = () => users.signinRedirect();
$('signout').onclick = () => users.signoutRedirect();
$('refresh').onclick = async () => {
  const user = await users.signinSilent(); // a refresh_token grant: no iframe, no redirect
  $('output').textContent = `refreshed; expires in ${user.expires_in} s`;
};
$('call').onclick = async () => {
  const user = await users.getUser();
  // /api/* is the resource-service, proxied by serve.mjs (same origin, no CORS needed there).
  const response = await fetch('/api/me', {
    headers: { authorization: `Bearer ${user.access_token}` },
  });
  $('output').textContent = JSON.stringify(await response.json());
};

(async () => {
  const params = new URLSearchParams(location.search);
  if (params.has('code') || params.has('error')) {
    await users.signinRedirectCallback();
    history.replaceState(null, '', '/');
  }
  await show();
})().catch((error) => ($('output').textContent = String(error)));
