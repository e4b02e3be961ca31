import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { login, refresh, registerUser, resourceMe } from './support/api';
import { decodeJwt, request } from './support/http';
import { freePorts } from './support/ports';
import type { ServiceName } from './support/service-process';
import { ServiceProcess } from './support/service-process';
import type { Stack } from './support/stack';
import { baseEnv, randomSecret, startStack } from './support/stack';

describe('start-up with bad configuration', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'keycard-e2e-config-'));
  });

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function goodEnv(service: ServiceName): Promise<Record<string, string>> {
    const [authPort, resourcePort] = await freePorts(2);
    const common = { ...baseEnv(), DATA_DIR: dataDir, AUTH_ISSUER: `http://127.0.0.1:${authPort}` };
    return service === 'auth-service'
      ? {
          ...common,
          AUTH_PORT: String(authPort),
          AUTH_HOST: '127.0.0.1',
          KEYS_ENCRYPTION_SECRET: randomSecret(48),
        }
      : { ...common, RESOURCE_PORT: String(resourcePort), RESOURCE_HOST: '127.0.0.1' };
  }

  const cases: [ServiceName, string, string][] = [
    ['auth-service', 'DATABASE_URL', 'mysql://x'],
    ['auth-service', 'DATABASE_URL', 'postgres://nobody@127.0.0.1:1/x'],
    ['auth-service', 'AUTH_PORT', 'abc'],
    ['auth-service', 'AUTH_ISSUER', 'not a url'],
    ['auth-service', 'KEYS_ENCRYPTION_SECRET', 'too-short'],
    ['resource-service', 'RESOURCE_PORT', 'abc'],
    ['resource-service', 'RESOURCE_DATABASE_URL', 'mysql://x'],
    ['resource-service', 'RESOURCE_DATABASE_URL', 'postgres://nobody@127.0.0.1:1/x'],
    ['resource-service', 'AUTH_ISSUER', 'not a url'],
  ];

  it.each(cases)(
    '%s with %s=%s exits non-zero with one stderr line naming the variable',
    async (service, name, value) => {
      const label = `bad-config.${name}.${value.replace(/\W+/g, '_')}`;
      const child = ServiceProcess.spawn(service, label, {
        ...(await goodEnv(service)),
        [name]: value,
      });
      let exit;
      try {
        exit = await child.waitForExit(15_000);
      } catch (error) {
        await child.stop();
        throw new Error(
          `${(error as Error).message}: it started despite ${name}=${value}\n${child.logTail()}`,
        );
      }
      const lines = child
        .stderr()
        .split('\n')
        .filter((line) => line.trim() !== '');
      expect({ exit, lines }).toEqual({
        exit: { code: expect.any(Number), signal: null },
        lines: [expect.stringContaining(name)],
      });
      expect(exit.code).not.toBe(0);
    },
  );
});

describe('refresh rotation with REFRESH_REUSE_INTERVAL=0, then an auth-service outage', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ label: 'outage', authEnv: { REFRESH_REUSE_INTERVAL: '0' } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('kills the presented refresh token at once; presenting it again revokes the family', async () => {
    const first = await login(stack, await registerUser(stack));
    const rotated = await refresh(stack, first.refreshToken);
    expect(rotated.status).toBe(200);
    expect((await refresh(stack, first.refreshToken)).status).toBe(401);
    expect((await refresh(stack, rotated.body.refreshToken)).status).toBe(401);
  });

  it('lets exactly one of several concurrent refreshes with one token succeed (no 500)', async () => {
    const { refreshToken } = await login(stack, await registerUser(stack));
    const statuses = (
      await Promise.all(Array.from({ length: 6 }, () => refresh(stack, refreshToken)))
    ).map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status !== 200)).toEqual(Array(5).fill(401));
  });

  it('verifies tokens of a just-activated key at once: it was pre-published as the next key', async () => {
    // With the default 30 s cooldown counted from the start-up fetch, the resource-service cannot
    // refetch the JWKS here: it must already hold the key from when it was "next".
    const { accessToken: adminToken } = await login(stack, stack.admin);
    const rotated = await request('POST', `${stack.auth.url}/admin/keys/rotate?force=true`, {
      bearer: adminToken,
    });
    expect(rotated.status).toBe(201);
    const fresh = await login(stack, await registerUser(stack));
    expect(decodeJwt(fresh.accessToken).header['kid']).not.toBe(
      decodeJwt(adminToken).header['kid'],
    );
    expect((await resourceMe(stack, fresh.accessToken)).status).toBe(200);
  });

  it('keeps verifying tokens of keys it has seen while the auth-service is stopped', async () => {
    const user = await registerUser(stack);
    const seen = await login(stack, user);
    const unseen = await login(stack, user);
    expect((await resourceMe(stack, seen.accessToken)).status).toBe(200);

    const stopped = await stack.auth.process.stop();
    expect(stopped.forced).toBe(false); // SIGTERM alone shuts it down within 5 s
    await expect(fetch(`${stack.auth.url}/health`)).rejects.toThrow();

    for (const token of [seen.accessToken, unseen.accessToken]) {
      const response = await resourceMe(stack, token);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(
        expect.objectContaining({ sub: user.user.id, authType: 'jwt' }),
      );
    }
    const anonymous = await resourceMe(stack, 'not-a-jwt');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
  });
});
