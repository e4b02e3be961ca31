/**
 * The pages' passkey glue (served as `/assets/passkeys.js`, no bundler): WebAuthn options arrive
 * as JSON with base64url fields, `navigator.credentials` wants ArrayBuffers, and its answer goes
 * back as JSON. Buttons: `#passkey-sign-in` (/login), `#passkey-second-factor` (/login/mfa),
 * form `#passkey-register` (/account). Errors are shown in `#passkey-status`.
 */
export const PASSKEYS_SCRIPT = `'use strict';
(function () {
  const b64 = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const bytes = (text) => Uint8Array.from(
    atob(text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4)),
    (c) => c.charCodeAt(0));
  const status = (text) => {
    const box = document.getElementById('passkey-status');
    if (box) { box.textContent = text; box.hidden = !text; }
  };
  async function post(url, body, csrf) {
    const headers = { 'content-type': 'application/json' };
    if (csrf) headers['x-csrf-token'] = csrf;
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'same-origin' });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(json.message || 'The passkey could not be used.');
    return json;
  }
  const descriptors = (list) => (list || []).map((d) => ({ ...d, id: bytes(d.id) }));
  function encodeAssertion(credential) {
    const r = credential.response;
    return { id: credential.id, rawId: b64(credential.rawId), type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      response: { clientDataJSON: b64(r.clientDataJSON), authenticatorData: b64(r.authenticatorData),
        signature: b64(r.signature), userHandle: r.userHandle ? b64(r.userHandle) : undefined } };
  }
  function encodeRegistration(credential) {
    const r = credential.response;
    return { id: credential.id, rawId: b64(credential.rawId), type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      response: { clientDataJSON: b64(r.clientDataJSON), attestationObject: b64(r.attestationObject),
        transports: r.getTransports ? r.getTransports() : [] } };
  }
  async function signIn() {
    status('');
    try {
      const { options, ceremony } = await post('/auth/login/passkey/options', {});
      const credential = await navigator.credentials.get({ publicKey: { ...options,
        challenge: bytes(options.challenge), allowCredentials: descriptors(options.allowCredentials) } });
      const done = await post('/session/login/passkey', { ceremony, response: encodeAssertion(credential) });
      window.location.assign(done.location || '/account');
    } catch (error) { status(error.message || 'The passkey could not be used.'); }
  }
  async function register(event) {
    event.preventDefault();
    const form = event.target;
    const csrf = form.dataset.csrf;
    status('');
    try {
      const { options, ceremony } = await post('/auth/mfa/passkeys/options', {}, csrf);
      const credential = await navigator.credentials.create({ publicKey: { ...options,
        challenge: bytes(options.challenge), user: { ...options.user, id: bytes(options.user.id) },
        excludeCredentials: descriptors(options.excludeCredentials) } });
      const name = form.elements.namedItem('name').value;
      const added = await post('/auth/mfa/passkeys', { name, ceremony, response: encodeRegistration(credential) }, csrf);
      const codes = document.getElementById('passkey-recovery-codes');
      if (added.recoveryCodes && codes) {
        codes.textContent = added.recoveryCodes.join('\\n');
        codes.hidden = false;
        status('Passkey added. Keep these recovery codes somewhere safe: they are shown only once.');
      } else { window.location.assign('/account?passkey=added'); }
    } catch (error) { status(error.message || 'The passkey could not be added.'); }
  }
  for (const id of ['passkey-sign-in', 'passkey-second-factor']) {
    const button = document.getElementById(id);
    if (button) button.addEventListener('click', () => { void signIn(); });
  }
  const copy = document.getElementById('copy-recovery-codes');
  if (copy) copy.addEventListener('click', () => {
    const codes = document.getElementById('recovery-codes');
    if (codes && navigator.clipboard) void navigator.clipboard.writeText(codes.textContent || '');
  });
  const form = document.getElementById('passkey-register');
  if (form) form.addEventListener('submit', (event) => { void register(event); });
})();
`;
