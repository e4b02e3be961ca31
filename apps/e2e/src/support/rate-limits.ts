import type { AuthTarget } from './api';
import { login, registerUser } from './api';
import { createApiKey, withApiKey } from './api-keys';
import type { HttpResult } from './http';

/** Sends `GET <url>/me` with the key to each URL one after another, in order. */
export async function inOrder(urls: string[], key: string): Promise<HttpResult<unknown>[]> {
  const answers: HttpResult<unknown>[] = [];
  for (const url of urls) answers.push(await withApiKey<unknown>('GET', `${url}/me`, key));
  return answers;
}

/** Exactly `ok` answers 200 and `limited` answers 429 with the headers of a limit of 10. */
export function expectRefusals(answers: HttpResult<unknown>[], ok: number, limited: number): void {
  expect(answers.map((answer) => answer.status).sort()).toEqual([
    ...Array<number>(ok).fill(200),
    ...Array<number>(limited).fill(429),
  ]);
  for (const refused of answers.filter((answer) => answer.status === 429)) {
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('ratelimit-limit')).toBe('10');
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
  }
}

/** A fresh user's API key limited to `rateLimit` requests a minute. */
export async function keyWithLimit(target: AuthTarget, rateLimit: number): Promise<string> {
  const user = await registerUser(target);
  const { accessToken } = await login(target, user);
  return (await createApiKey(target, accessToken, { rateLimit })).key;
}

/**
 * Two instances sharing Redis count one limit: 6 + 6 alternating requests with a limit of 10 give
 * 10 answers 200 and then two 429. Returns the key (for the log check).
 */
export async function expectOneLimitAcross(
  target: AuthTarget,
  first: string,
  second: string,
): Promise<string> {
  const key = await keyWithLimit(target, 10);
  const urls = Array.from({ length: 12 }, (_, i) => (i % 2 ? second : first));
  const answers = await inOrder(urls, key);
  expectRefusals(answers, 10, 2);
  expect(answers.slice(10).map((answer) => answer.status)).toEqual([429, 429]);
  return key;
}
