import { Controller, Get, INestApplication } from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  Clock,
  ErrorCode,
  KeycardError,
  KeycardExceptionFilter,
  ManualClock,
} from '@keycard/common';
import type { Principal } from '../principal';
import { RequireAuth } from './require-auth.decorator';
import { insufficientUserAuthentication, unmetStepUp } from './step-up';

/* RFC 9470 step-up: which sign-ins meet which requirement, and the exact challenge of each case. */
const NOW = Date.UTC(2026, 11, 5, 9, 0, 0);
const MINUTE = 60_000;

describe('unmetStepUp', () => {
  it.each<
    [string, Pick<Principal, 'amr' | 'authTime'>, { mfa?: boolean; maxAge?: number }, string | null]
  >([
    ['password only, mfa asked', { amr: ['pwd'], authTime: NOW }, { mfa: true }, 'mfa'],
    ['no amr at all (API key), mfa asked', {}, { mfa: true }, 'mfa'],
    ['otp sign-in, mfa asked', { amr: ['pwd', 'otp', 'mfa'], authTime: NOW }, { mfa: true }, null],
    [
      '11 minutes old, maxAge 600',
      { amr: ['pwd', 'otp', 'mfa'], authTime: NOW - 11 * MINUTE },
      { maxAge: 600 },
      'max_age',
    ],
    [
      'exactly 10 minutes old, maxAge 600',
      { amr: ['pwd'], authTime: NOW - 10 * MINUTE },
      { maxAge: 600 },
      null,
    ],
    ['no auth_time, maxAge asked', { amr: ['pwd', 'mfa'] }, { maxAge: 600 }, 'max_age'],
    [
      'mfa but too old, both asked',
      { amr: ['mfa'], authTime: NOW - 11 * MINUTE },
      { mfa: true, maxAge: 600 },
      'max_age',
    ],
    [
      'recent but password only, both asked',
      { amr: ['pwd'], authTime: NOW },
      { mfa: true, maxAge: 600 },
      'mfa',
    ],
    ['nothing asked', {}, {}, null],
  ])('%s', (_name, principal, requirement, expected) => {
    expect(unmetStepUp(principal, requirement, NOW)).toBe(expected);
  });
});

describe('insufficientUserAuthentication', () => {
  it.each<[string, 'mfa' | 'max_age', { mfa?: boolean; maxAge?: number }, string]>([
    [
      'mfa missing, no maxAge',
      'mfa',
      { mfa: true },
      'Bearer error="insufficient_user_authentication", error_description="A second factor is required"',
    ],
    [
      'mfa missing, maxAge asked too',
      'mfa',
      { mfa: true, maxAge: 600 },
      'Bearer error="insufficient_user_authentication", error_description="A second factor is required", max_age="600"',
    ],
    [
      'too old',
      'max_age',
      { maxAge: 600 },
      'Bearer error="insufficient_user_authentication", error_description="A more recent sign-in is required", max_age="600"',
    ],
  ])('%s', (_name, unmet, requirement, header) => {
    const error = insufficientUserAuthentication(unmet, requirement);
    expect(error).toBeInstanceOf(KeycardError);
    expect(error.code).toBe(ErrorCode.InsufficientUserAuthentication);
    expect(error.status).toBe(401);
    expect(error.headers).toEqual({ 'WWW-Authenticate': header });
  });
});

describe('@RequireAuth on a route', () => {
  @Controller()
  class StepUpController {
    @Get('open')
    open(): string {
      return 'ok';
    }

    @RequireAuth({ mfa: true, maxAge: 600 })
    @Get('sensitive')
    sensitive(): string {
      return 'ok';
    }
  }

  let app: INestApplication;
  let principal: Partial<Principal>;
  const clock = new ManualClock(NOW);

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [StepUpController],
      providers: [
        { provide: Clock, useValue: clock },
        // Stands in for the global guard: it only has to put the principal on the request.
        {
          provide: APP_GUARD,
          useValue: {
            canActivate: (context: { switchToHttp(): { getRequest(): { user?: unknown } } }) => {
              context.switchToHttp().getRequest().user = { sub: 'u-1', ...principal };
              return true;
            },
          },
        },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalFilters(new KeycardExceptionFilter(app.get(HttpAdapterHost)));
    await app.init();
  });
  afterAll(() => app?.close());

  it('leaves routes without it alone', async () => {
    principal = { amr: ['pwd'], authTime: NOW };
    await request(app.getHttpServer()).get('/open').expect(200);
  });

  it.each<[string, Partial<Principal>, number, string | undefined]>([
    [
      'password only',
      { amr: ['pwd'], authTime: NOW },
      401,
      'error_description="A second factor is required", max_age="600"',
    ],
    [
      'second factor 11 minutes ago',
      { amr: ['pwd', 'otp', 'mfa'], authTime: NOW - 11 * MINUTE },
      401,
      'error_description="A more recent sign-in is required", max_age="600"',
    ],
    ['second factor just now', { amr: ['pwd', 'otp', 'mfa'], authTime: NOW }, 200, undefined],
  ])('%s', async (_name, given, status, challenge) => {
    principal = given;
    const response = await request(app.getHttpServer()).get('/sensitive').expect(status);
    if (challenge) {
      expect(response.headers['www-authenticate']).toBe(
        `Bearer error="insufficient_user_authentication", ${challenge}`,
      );
      expect(response.body).toMatchObject({
        statusCode: 401,
        error: 'insufficient_user_authentication',
      });
    } else {
      expect(response.headers['www-authenticate']).toBeUndefined();
    }
  });
});
