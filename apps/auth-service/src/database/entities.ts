import { AccountTokenEntity } from '../account/account-token.entity';
import { ApiKeyUsageEntity } from '../api-keys/api-key-usage.entity';
import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { OAuthClientEntity } from '../clients/oauth-client.entity';
import { GoogleGrantEntity } from '../google/google-grant.entity';
import { UserIdentityEntity } from '../google/user-identity.entity';
import { SigningKeyEntity } from '../keys/signing-key.entity';
import { MailMessageEntity } from '../mail/mail-message.entity';
import { MfaFactorEntity } from '../mfa/mfa-factor.entity';
import { RecoveryCodeEntity } from '../mfa/recovery-code.entity';
import { OIDC_ENTITIES } from '../oidc/oidc-records.entity';
import { SessionEntity } from '../sessions/session.entity';
import { RevocationEventEntity } from '../revocation/revocation-event.entity';
import { RefreshFamilyEntity } from '../tokens/refresh-family.entity';
import { RefreshTokenEntity } from '../tokens/refresh-token.entity';
import { UserEntity } from '../users/user.entity';

/**
 * Every entity of the auth-service: the DataSource is built from this list (not from
 * `autoLoadEntities`), so the schema check in `migrations.int.spec.ts` sees exactly what the app
 * uses, and that spec fails when an `*.entity.ts` is missing here.
 */
export const AUTH_ENTITIES = [
  SigningKeyEntity,
  UserEntity,
  RefreshFamilyEntity,
  RefreshTokenEntity,
  OAuthClientEntity,
  ApiKeyEntity,
  ApiKeyUsageEntity,
  SessionEntity,
  UserIdentityEntity,
  GoogleGrantEntity,
  AuditEventEntity,
  MailMessageEntity,
  AccountTokenEntity,
  MfaFactorEntity,
  RecoveryCodeEntity,
  RevocationEventEntity,
  ...OIDC_ENTITIES,
];
