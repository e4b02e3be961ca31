/** What the console says after a redirect: fixed texts chosen by a code, never text from the URL. */
const NOTICES = {
  roles_changed: 'The roles were changed.',
  disabled: 'The user was disabled: signed out everywhere, refresh tokens and API keys revoked.',
  enabled: 'The user was enabled. Their API keys stay revoked.',
  session_revoked: 'The session was signed out.',
  mfa_reset: 'The second factors were removed; the user was told by mail.',
  key_revoked: 'The API key was revoked.',
  client_deleted: 'The client was deleted: its secret and tokens no longer work.',
  keys_rotated: 'The signing keys were rotated.',
  signing_key_revoked: 'The signing key was revoked: tokens it signed no longer verify.',
} as const;

export type ConsoleNotice = keyof typeof NOTICES;

/** The text of a known notice code; undefined for anything else. */
export function noticeText(code: unknown): string | undefined {
  return typeof code === 'string' && Object.hasOwn(NOTICES, code)
    ? NOTICES[code as ConsoleNotice]
    : undefined;
}

export function withNotice(path: string, notice: ConsoleNotice): string {
  return `${path}${path.includes('?') ? '&' : '?'}notice=${notice}`;
}
