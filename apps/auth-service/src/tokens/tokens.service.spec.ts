import type { AccessTokenService } from './access-token.service';
import type { Refreshed, RefreshTokensService } from './refresh-tokens.service';
import { TokensService } from './tokens.service';
import { UserEventsService } from '../users/user-events.service';

// What a refresh refuses (a client-bound token without its client, a disabled or deleted user) is
// decided with the read of the token, by `RefreshTokensService.refresh`; its tests run on both
// databases in refresh-tokens.int.spec.ts.
describe('TokensService.refresh', () => {
  const access = { issue: jest.fn().mockResolvedValue({ token: 'at', expiresIn: 900, jti: 'j' }) };
  const refreshTokens = { refresh: jest.fn() };
  const service = new TokensService(
    access as unknown as AccessTokenService,
    refreshTokens as unknown as RefreshTokensService,
    new UserEventsService(),
  );

  beforeEach(() => jest.clearAllMocks());

  it('signs for the user as read with the token (current roles), its client and its login', async () => {
    const family = {
      id: 'fam-1',
      userId: 'user-1',
      clientId: 'svc_a',
      scope: 'read',
      createdAt: 1_000,
      amr: 'pwd otp',
      authTime: 2_000,
    };
    const refreshed = {
      user: { id: 'user-1', roles: ['user', 'editor'], disabled: false },
      grant: { family, refreshToken: 'rt_next' },
    } as unknown as Refreshed;
    refreshTokens.refresh.mockResolvedValue(refreshed);
    const pair = await service.refresh('rt_x', 'svc_a');
    expect(refreshTokens.refresh).toHaveBeenCalledWith('rt_x', 'svc_a');
    expect(pair).toEqual({
      accessToken: 'at',
      refreshToken: 'rt_next',
      tokenType: 'Bearer',
      expiresIn: 900,
    });
    expect(access.issue).toHaveBeenCalledWith({
      sub: 'user-1',
      roles: ['user', 'editor'],
      scope: 'read',
      sid: 'fam-1',
      clientId: 'svc_a',
      signIn: { amr: ['pwd', 'otp'], authTime: 2_000 },
    });
  });

  it('refreshes without a client when none authenticated', async () => {
    refreshTokens.refresh.mockRejectedValue(new Error('refused'));
    await expect(service.refresh('rt_x')).rejects.toThrow('refused');
    expect(refreshTokens.refresh).toHaveBeenCalledWith('rt_x', null);
    expect(access.issue).not.toHaveBeenCalled();
  });
});
