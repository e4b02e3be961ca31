import { spawn } from 'node:child_process';
import type { ErrorResponse, RegisteredUser } from './support/api';
import { login, registerUser } from './support/api';
import { request } from './support/http';
import { entryOf, WORKSPACE_ROOT } from './support/service-process';
import type { Stack } from './support/stack';
import { baseEnv, randomSecret, startStack } from './support/stack';

interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Keycard's error body: the stable code is `error`. */
type ErrorBody = ErrorResponse & { error: string };

const KEYS_ENCRYPTION_SECRET = randomSecret(48);

/**
 * A disabled admin's earlier token at the built auth-service, the last-admin rule, and the way
 * back: `node dist/apps/auth-service/main.js promote-admin <email>` against the same data.
 */
describe('admin power and its recovery against the built auth-service', () => {
  let stack: Stack;
  let adminToken: string;
  let alice: RegisteredUser;

  const call = (token: string, method: string, path: string, json?: unknown) =>
    request<ErrorBody>(method, `${stack.auth.url}${path}`, { bearer: token, json });

  /** Runs the built entry with a command, on the stack's database and keys secret. */
  function runCommand(...argv: string[]): Promise<CommandResult> {
    const env = {
      ...baseEnv(),
      ...stack.backend.authEnv,
      AUTH_ISSUER: stack.issuer,
      KEYS_ENCRYPTION_SECRET,
    };
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [entryOf('auth-service'), ...argv], {
        cwd: WORKSPACE_ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  beforeAll(async () => {
    stack = await startStack({ label: 'admin-recovery', authEnv: { KEYS_ENCRYPTION_SECRET } });
    adminToken = (await login(stack, stack.admin)).accessToken;
    alice = await registerUser(stack, 'Alice');
    const promoted = await call(adminToken, 'PATCH', `/admin/users/${alice.user.id}`, {
      roles: ['admin', 'user'],
    });
    expect(promoted.status).toBe(200);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses a disabled admin’s earlier token (401): no service client, no self-repair', async () => {
    const earlier = (await login(stack, alice)).accessToken;
    expect((await call(earlier, 'GET', '/admin/users')).status).toBe(200);
    const disabled = await call(adminToken, 'PATCH', `/admin/users/${alice.user.id}`, {
      disabled: true,
    });
    expect(disabled.status).toBe(200);

    const attempts: [string, string, unknown?][] = [
      ['POST', '/admin/clients', { name: 'backdoor', scopes: [] }],
      ['GET', '/admin/users'],
      ['PATCH', `/admin/users/${alice.user.id}`, { disabled: false }],
    ];
    for (const [method, path, json] of attempts) {
      const response = await call(earlier, method, path, json);
      expect({ method, path, status: response.status, error: response.body?.error }).toEqual({
        method,
        path,
        status: 401,
        error: 'invalid_token',
      });
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    }
    const clients = await request<{ name: string }[]>('GET', `${stack.auth.url}/admin/clients`, {
      bearer: adminToken,
    });
    expect(clients.body.map((client) => client.name)).not.toContain('backdoor');
  });

  it('refuses the last enabled admin stepping down (409 last_admin)', async () => {
    const me = await request<{ id: string }>('GET', `${stack.auth.url}/auth/me`, {
      bearer: adminToken,
    });
    const response = await call(adminToken, 'PATCH', `/admin/users/${me.body.id}`, {
      roles: ['user'],
    });
    expect(response.status).toBe(409);
    expect(response.body.error).toBe('last_admin');
  });

  it('promote-admin makes an existing user an enabled admin again, printing only the answer', async () => {
    const result = await runCommand('promote-admin', alice.email);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toBe(
      `${alice.email} (user ${alice.user.id}) is now an admin; ` +
        'the account was disabled and is enabled again\n',
    );
    const fresh = (await login(stack, alice)).accessToken;
    expect((await call(fresh, 'GET', '/admin/users')).status).toBe(200);
  });

  it('promote-admin exits 1 with one line for an unknown e-mail', async () => {
    const result = await runCommand('promote-admin', 'nobody@example.test');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      'promote-admin failed: No user has this e-mail address',
    ]);
  });
});
