import type { MigrationInterface } from 'typeorm';
import { SigningKeys1764300000100 } from './1764300000100-signing-keys';
import { Users1764300000200 } from './1764300000200-users';
import { RefreshTokens1764300000300 } from './1764300000300-refresh-tokens';
import { OAuthClients1764300000400 } from './1764300000400-oauth-clients';
import { ApiKeys1764300000500 } from './1764300000500-api-keys';
import { Sessions1764300000600 } from './1764300000600-sessions';
import { UserIdentities1764300000700 } from './1764300000700-user-identities';
import { AuditEvents1764300000800 } from './1764300000800-audit-events';
import { RetentionIndexes1764300001200 } from './1764300001200-retention-indexes';
import { UsersEmailVerified1764300001000 } from './1764300001000-users-email-verified';
import { MailOutbox1764300002000 } from './1764300002000-mail-outbox';
import { AccountTokens1764300002010 } from './1764300002010-account-tokens';
import { RevocationEvents1764300003000 } from './1764300003000-revocation-events';
import { OAuthClientApps1764300004000 } from './1764300004000-oauth-client-apps';
import { Oidc1764300004010 } from './1764300004010-oidc';
import { SignInContext1764300005000 } from './1764300005000-sign-in-context';
import { MfaFactors1764300005010 } from './1764300005010-mfa-factors';
import { AdminUserSearch1764300006000 } from './1764300006000-admin-user-search';
import { AuditTypeTime1764300007000 } from './1764300007000-audit-type-time';
import { UserCount1764300008000 } from './1764300008000-user-count';
import { UserSearchWords1764300009000 } from './1764300009000-user-search-words';
import { RefreshTokensNameRows1764300010000 } from './1764300010000-refresh-tokens-name-rows';
import { AccountTokensLive1764300011000 } from './1764300011000-account-tokens-live';

/** Every PostgreSQL migration of the auth-service, oldest first. */
export const AUTH_MIGRATIONS: (new () => MigrationInterface)[] = [
  SigningKeys1764300000100,
  Users1764300000200,
  RefreshTokens1764300000300,
  OAuthClients1764300000400,
  ApiKeys1764300000500,
  Sessions1764300000600,
  UserIdentities1764300000700,
  AuditEvents1764300000800,
  UsersEmailVerified1764300001000,
  RetentionIndexes1764300001200,
  MailOutbox1764300002000,
  AccountTokens1764300002010,
  RevocationEvents1764300003000,
  OAuthClientApps1764300004000,
  Oidc1764300004010,
  SignInContext1764300005000,
  MfaFactors1764300005010,
  AdminUserSearch1764300006000,
  AuditTypeTime1764300007000,
  UserCount1764300008000,
  UserSearchWords1764300009000,
  RefreshTokensNameRows1764300010000,
  AccountTokensLive1764300011000,
];
