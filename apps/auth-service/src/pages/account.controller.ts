import {
  Body,
  Controller,
  Get,
  Inject,
  Param,
  Post,
  Query,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@keycard/auth';
import { ApiKeyScopePolicy } from '../api-keys/api-key-scopes';
import { apiKeySettingsFrom } from '../api-keys/api-key-settings';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { authConfig, AuthSettings } from '../config/auth.config';
import { CurrentSession } from '../sessions/session-context';
import { ActiveSession, SessionsService } from '../sessions/sessions.service';
import type { NewKeyNotice } from './account-api-keys.view';
import { CreateApiKeyFormDto } from './account-forms.dto';
import { AccountNotice, accountPage, parseAccountNotice } from './account.page';
import { PageExceptionFilter } from '../web/page-exception.filter';
import { SessionPageGuard } from '../sessions/session-page.guard';
import { isInlineError } from '../web/page-errors';
import { redirectTo, sendPage } from '../web/page-response';

interface PageExtras {
  newKey?: NewKeyNotice;
  error?: string;
  notice?: AccountNotice;
}

/**
 * `/account` and the forms it posts to. Every action is a plain form (the pages work without
 * JavaScript); the session guard checks the cookie and, for posts, the CSRF token. A new key's
 * secret is shown in the answer to the post that made it and never again.
 */
@Public()
@UseGuards(SessionPageGuard)
@UseFilters(PageExceptionFilter)
@ApiExcludeController()
@Controller('account')
export class AccountController {
  private readonly scopePolicy: ApiKeyScopePolicy;

  constructor(
    private readonly sessions: SessionsService,
    private readonly apiKeys: ApiKeysService,
    @Inject(authConfig.KEY) config: AuthSettings,
  ) {
    this.scopePolicy = new ApiKeyScopePolicy(apiKeySettingsFrom(config).scopes);
  }

  @Get()
  async show(
    @CurrentSession() active: ActiveSession,
    @Res() response: FastifyReply,
    @Query('notice') notice?: string,
  ): Promise<void> {
    await this.render(response, active, { notice: parseAccountNotice(notice) });
  }

  @Post('api-keys')
  async createKey(
    @CurrentSession() active: ActiveSession,
    @Body() form: CreateApiKeyFormDto,
    @Res() response: FastifyReply,
  ): Promise<void> {
    const name = form.name.trim();
    if (name === '') {
      await this.render(response, active, { error: 'Give the key a name.' }, 400);
      return;
    }
    await this.keyAction(response, active, 'created', () =>
      this.apiKeys.create(active.user.id, {
        name,
        type: form.type,
        environment: form.environment,
        scopes: form.scopes && form.scopes.length > 0 ? form.scopes : undefined,
      }),
    );
  }

  @Post('api-keys/:id/rotate')
  async rotateKey(
    @CurrentSession() active: ActiveSession,
    @Param('id') id: string,
    @Res() response: FastifyReply,
  ): Promise<void> {
    await this.keyAction(response, active, 'rotated', () =>
      this.apiKeys.rotate(active.user.id, id),
    );
  }

  @Post('api-keys/:id/revoke')
  async revokeKey(
    @CurrentSession() active: ActiveSession,
    @Param('id') id: string,
    @Res() response: FastifyReply,
  ): Promise<void> {
    await this.apiKeys.revoke(active.user.id, id);
    redirectTo(response, '/account?notice=key_revoked');
  }

  @Post('sessions/:id/revoke')
  async revokeSession(
    @CurrentSession() active: ActiveSession,
    @Param('id') id: string,
    @Res() response: FastifyReply,
  ): Promise<void> {
    await this.sessions.revoke(active.user.id, id);
    redirectTo(response, '/account?notice=session_revoked');
  }

  /** Runs a create or rotate and shows the page with its secret, or with the refusal inline. */
  private async keyAction(
    response: FastifyReply,
    active: ActiveSession,
    action: NewKeyNotice['action'],
    run: () => Promise<NewKeyNotice['key']>,
  ): Promise<void> {
    let key: NewKeyNotice['key'];
    try {
      key = await run();
    } catch (error) {
      if (!isInlineError(error)) throw error;
      await this.render(response, active, { error: String(error.publicMessage) }, error.status);
      return;
    }
    await this.render(response, active, { newKey: { key, action } });
  }

  private async render(
    response: FastifyReply,
    active: ActiveSession,
    extras: PageExtras,
    status = 200,
  ): Promise<void> {
    const { session, user } = active;
    const [sessions, apiKeys] = await Promise.all([
      this.sessions.list(user.id),
      this.apiKeys.list(user.id),
    ]);
    const page = accountPage({
      user,
      csrfToken: session.csrfToken,
      currentSessionId: session.id,
      sessions,
      apiKeys,
      grantableScopes: this.scopePolicy.grantable('sk', user.roles),
      ...extras,
    });
    sendPage(response, page, status);
  }
}
