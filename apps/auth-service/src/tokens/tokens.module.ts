import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WriteFaultPoints } from '../database/atomic-writes';
import { KeysModule } from '../keys/keys.module';
import { UsersModule } from '../users/users.module';
import { AccessTokenService } from './access-token.service';
import { RefreshFamilyEntity } from './refresh-family.entity';
import { RefreshTokenEntity } from './refresh-token.entity';
import { RefreshTokensService } from './refresh-tokens.service';
import { TokensService } from './tokens.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([RefreshFamilyEntity, RefreshTokenEntity]),
    KeysModule,
    UsersModule,
  ],
  // WriteFaultPoints does nothing; fault tests override it to fail a write halfway.
  providers: [AccessTokenService, RefreshTokensService, TokensService, WriteFaultPoints],
  exports: [AccessTokenService, RefreshTokensService, TokensService],
})
export class TokensModule {}
