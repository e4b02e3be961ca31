import request from 'supertest';
import type { SessionTestApp } from '../sessions/sessions.test-kit';
import {
  cookiePair,
  ISSUER_ORIGIN,
  PASSWORD,
  setCookieFor,
  signIn,
  createUser,
  squash,
  startSessionApp,
} from '../sessions/sessions.test-kit';

/** The sign-up page's double-submit token and its cookie. */
async function signupForm(t: SessionTestApp): Promise<{ cookie: string; csrf: string }> {
  const response = await request(t.http).get('/signup').expect(200);
  const line = setCookieFor(response, 'keycard.csrf');
  const match = /name="_csrf" value="([^"]+)"/.exec(response.text);
  if (!line || !match) throw new Error('the sign-up page has no CSRF token');
  return { cookie: cookiePair(line), csrf: match[1] };
}

const address = () => `new-${Math.random().toString(16).slice(2, 10)}@example.test`;

describe('the sign-up page and the landing page over HTTP', () => {
  let t: SessionTestApp;

  beforeAll(async () => {
    t = await startSessionApp({ REGISTER_RATE_LIMIT: '6' });
  });

  afterAll(() => t?.close());

  const submit = (form: { cookie: string; csrf?: string }, fields: Record<string, string>) =>
    request(t.http)
      .post('/signup')
      .set('Cookie', form.cookie)
      .set('Origin', ISSUER_ORIGIN)
      .type('form')
      .send({ ...(form.csrf ? { _csrf: form.csrf } : {}), ...fields });

  it('is an accessible form with the page headers, linked from /login', async () => {
    const response = await request(t.http).get('/signup').expect(200);
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    const page = squash(response.text);
    expect(page).toContain('<label for="email">Email address</label>');
    expect(page).toContain('autocomplete="new-password"');
    expect(page).toContain('<a href="/login">Sign in</a>');
    const login = await request(t.http).get('/login').expect(200);
    expect(squash(login.text)).toContain('<a href="/signup">Create an account</a>');
  });

  it('creates the account and signs the browser in (303 to /account)', async () => {
    const email = address();
    const form = await signupForm(t);
    const response = await submit(form, { email, password: PASSWORD, name: 'Grace' }).expect(303);
    expect(response.headers.location).toBe('/account');
    const session = setCookieFor(response);
    expect(session).toBeDefined();
    const me = await request(t.http)
      .get('/auth/me')
      .set('Cookie', cookiePair(session ?? ''))
      .expect(200);
    expect(me.body).toMatchObject({ email, name: 'Grace', roles: ['user'] });
  });

  it.each<[string, { csrf?: false; password?: string; email?: string }, string]>([
    ['without its CSRF token', { csrf: false }, 'csrf'],
    // The password policy's 8-128 rule answers weak_password on every path (contract section 6).
    ['with a short password', { password: 'short' }, 'weak_password'],
    ['with a bad address', { email: 'someone@no-dot' }, 'invalid_request'],
  ])('refuses a form %s, keeping the address', async (_case, change, code) => {
    const email = change.email ?? address();
    const form = await signupForm(t);
    const response = await submit(change.csrf === false ? { cookie: form.cookie } : form, {
      email,
      password: change.password ?? PASSWORD,
    }).expect(303);
    expect(response.headers.location).toBe(`/signup?error=${code}`);
    expect(setCookieFor(response)).toBeUndefined();
    expect(await t.users.findByEmail(email)).toBeNull();
    const kept = setCookieFor(response, 'keycard.form_email');
    const page = await request(t.http)
      .get(response.headers.location)
      .set('Cookie', `${form.cookie}; ${cookiePair(kept ?? '')}`)
      .expect(200);
    expect(squash(page.text)).toMatch(/<p class="alert" role="alert"/);
    expect(squash(page.text)).toContain(`value="${email}"`);
  });

  it('says an address is taken without creating a second account', async () => {
    const existing = await createUser(t);
    const form = await signupForm(t);
    const response = await submit(form, { email: existing.email, password: PASSWORD }).expect(303);
    expect(response.headers.location).toBe('/signup?error=email_taken');
    const page = await request(t.http).get(response.headers.location).expect(200);
    expect(squash(page.text)).toContain('already exists');
  });

  it('shares the per-IP limit of POST /auth/register', async () => {
    let location = '';
    for (let attempt = 0; attempt < 8 && !location.includes('rate_limited'); attempt++) {
      const form = await signupForm(t);
      location = (await submit(form, { email: address(), password: PASSWORD })).headers.location;
    }
    expect(location).toBe('/signup?error=rate_limited');
    await request(t.http)
      .post('/auth/register')
      .send({ email: address(), password: PASSWORD })
      .expect(429);
  });

  it('serves a landing page at / with the ways in, and the account for someone signed in', async () => {
    const anonymous = await request(t.http).get('/').expect(200);
    expect(anonymous.headers['content-type']).toBe('text/html; charset=utf-8');
    const page = squash(anonymous.text);
    for (const link of ['/login', '/signup', '/docs', '/admin']) {
      expect(page).toContain(`href="${link}"`);
    }
    const user = await createUser(t);
    const session = await signIn(t, user);
    const signedIn = await request(t.http).get('/').set('Cookie', session.cookie).expect(200);
    expect(squash(signedIn.text)).toContain(user.email);
    expect(squash(signedIn.text)).toContain('href="/account"');
  });

  it('sends someone already signed in from /signup to /account', async () => {
    const session = await signIn(t, await createUser(t));
    const response = await request(t.http).get('/signup').set('Cookie', session.cookie).expect(303);
    expect(response.headers.location).toBe('/account');
  });
});
