import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
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
  providers: [AccessTokenService, RefreshTokensService, TokensService],
  exports: [AccessTokenService, RefreshTokensService, TokensService],
})
export class TokensModule {}
