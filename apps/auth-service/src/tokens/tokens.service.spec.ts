import { ErrorCode } from '@keycard/common';
import { codeOf } from '@keycard/testing';
import type { AccessTokenService } from './access-token.service';
import type { FoundRefresh, RefreshTokensService } from './refresh-tokens.service';
import { TokensService } from './tokens.service';
import { UserEventsService } from '../users/user-events.service';

type TestUser = { id: string; roles: string[]; disabled: boolean } | null;

/** A found token of `clientId`'s login, with its user as the lookup read it. */
function record(
  clientId: string | null,
  user: TestUser = { id: 'user-1', roles: ['user'], disabled: false },
): FoundRefresh {
  return {
    user,
    token: { id: 't1' },
    family: {
      id: 'fam-1',
      userId: 'user-1',
      clientId,
      scope: '',
      createdAt: 0,
      revokedAt: null,
      revokeReason: null,
    },
  } as unknown as FoundRefresh;
}

describe('TokensService.refresh', () => {
  const access = { issue: jest.fn().mockResolvedValue({ token: 'at', expiresIn: 900, jti: 'j' }) };
  const refreshTokens = {
    find: jest.fn(),
    rotate: jest.fn(),
    revokeFamily: jest.fn().mockResolvedValue(undefined),
  };
  const service = new TokensService(
    access as unknown as AccessTokenService,
    refreshTokens as unknown as RefreshTokensService,
    new UserEventsService(),
  );

  beforeEach(() => jest.clearAllMocks());

  it('refuses a client-bound refresh token presented without that client', async () => {
    refreshTokens.find.mockResolvedValue(record('svc_a'));
    expect(await codeOf(service.refresh('rt_x'))).toBe(ErrorCode.InvalidToken);
    expect(await codeOf(service.refresh('rt_x', 'svc_b'))).toBe(ErrorCode.InvalidToken);
    expect(refreshTokens.rotate).not.toHaveBeenCalled();
  });

  it('refreshes a client-bound token for its own client, with the current roles', async () => {
    const found = record('svc_a', { id: 'user-1', roles: ['user', 'editor'], disabled: false });
    refreshTokens.find.mockResolvedValue(found);
    refreshTokens.rotate.mockResolvedValue({ family: found.family, refreshToken: 'rt_next' });
    const pair = await service.refresh('rt_x', 'svc_a');
    expect(pair.refreshToken).toBe('rt_next');
    expect(access.issue).toHaveBeenCalledWith(
      expect.objectContaining({ roles: ['user', 'editor'], clientId: 'svc_a', sid: 'fam-1' }),
    );
  });

  it('refuses and ends the login of a disabled or deleted user', async () => {
    refreshTokens.find.mockResolvedValue(
      record(null, { id: 'user-1', roles: ['user'], disabled: true }),
    );
    expect(await codeOf(service.refresh('rt_x'))).toBe(ErrorCode.InvalidToken);
    refreshTokens.find.mockResolvedValue(record(null, null));
    expect(await codeOf(service.refresh('rt_x'))).toBe(ErrorCode.InvalidToken);
    expect(refreshTokens.revokeFamily).toHaveBeenCalledTimes(2);
    expect(refreshTokens.rotate).not.toHaveBeenCalled();
  });
});
