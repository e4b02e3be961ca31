import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AdminGuardedWrites } from './admin-guarded-writes';
import { AdminPromotionService } from './admin-promotion.service';
import { AdminUsersController } from './admin-users.controller';
import { PasswordHasher } from './password-hasher';
import { UserEventsService } from './user-events.service';
import { UserEntity } from './user.entity';
import { UsersService } from './users.service';

/**
 * Users, password hashing and `/admin/users`. Needs the global `Clock` and `authConfig` providers
 * and a TypeORM connection; other modules subscribe to `UserEventsService` for user changes.
 */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity])],
  controllers: [AdminUsersController],
  providers: [
    UsersService,
    PasswordHasher,
    UserEventsService,
    AdminBootstrapService,
    AdminGuardedWrites,
    AdminPromotionService,
  ],
  exports: [UsersService, PasswordHasher, UserEventsService, AdminPromotionService],
})
export class UsersModule {}
