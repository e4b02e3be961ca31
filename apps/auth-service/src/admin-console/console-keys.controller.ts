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
import { ErrorCode, KeycardError } from '@keycard/common';
import { AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { authConfig, AuthSettings } from '../config/auth.config';
import { KeysService } from '../keys/keys.service';
import { pathSegment } from '../web/html';
import { ConsoleExceptionFilter } from './console-exception.filter';
import { isInlineError } from '../web/page-errors';
import { redirectTo, sendPage } from '../web/page-response';
import { CurrentSession } from '../sessions/session-context';
import type { ActiveSession } from '../sessions/sessions.service';
import { AdminPageGuard } from './admin-page.guard';
import { attempt, viewerOf } from './console-context';
import { ConsoleFormDto, NoticeQueryDto, RotateKeysFormDto } from './console-forms.dto';
import { noticeText, withNotice } from './console-notices';
import { confirmPage } from './views/confirm.page';
import { KeysPageModel, keysPage } from './views/keys.page';

const KEYS = '/admin/console/keys';

/** Seconds to wait from a 409 `too_early`; undefined for any other refusal. */
function tooEarlyWait(error: unknown): number | undefined {
  if (!(error instanceof KeycardError) || error.code !== ErrorCode.TooEarly) return undefined;
  const wait = error.details['retryAfter'];
  return typeof wait === 'number' ? wait : 0;
}

/**
 * `/admin/console/keys`: what `/admin/keys` does (list, rotate with or without `force`, revoke),
 * with the same audit events, each change behind a confirmation page.
 */
@ApiExcludeController()
@Public()
@UseGuards(AdminPageGuard)
@UseFilters(ConsoleExceptionFilter)
@Controller('admin/console/keys')
export class ConsoleKeysController {
  constructor(
    private readonly keys: KeysService,
    @Inject(authConfig.KEY) private readonly config: Pick<AuthSettings, 'jwksMaxAge'>,
    private readonly audit: AuditService,
  ) {}

  @Get()
  async list(
    @CurrentSession() active: ActiveSession,
    @Query() query: NoticeQueryDto,
    @Res() response: FastifyReply,
  ): Promise<void> {
    await this.render(response, active, { notice: noticeText(query.notice) });
  }

  @Post('rotate')
  async rotate(
    @CurrentSession() active: ActiveSession,
    @Body() form: RotateKeysFormDto,
    @Res() response: FastifyReply,
  ): Promise<void> {
    const force = form.force === 'true';
    if (form.confirm !== 'yes') {
      sendPage(
        response,
        confirmPage({
          screen: 'keys',
          viewer: viewerOf(active),
          title: force ? 'Force a rotation of the signing keys?' : 'Rotate the signing keys?',
          consequences: [
            'The next key starts signing; the active key retires and verifies the tokens it signed until they expire; a new next key is published.',
            ...(force
              ? [
                  `Forced: the next key has been in the JWKS for less than ${this.config.jwksMaxAge} s. Verifiers that cached the JWKS before it appeared refuse the new tokens until they fetch it again.`,
                ]
              : []),
          ],
          action: `${KEYS}/rotate`,
          fields: force ? { force: 'true' } : {},
          confirmLabel: force ? 'Force the rotation' : 'Rotate',
          cancel: KEYS,
        }),
      );
      return;
    }
    try {
      const rotation = await this.keys.rotate({ force });
      void this.audit.record({
        type: AuditEventType.KeysRotated,
        outcome: 'success',
        subjectId: rotation.active.kid,
        details: { forced: force, retiring: rotation.retiring.kid, next: rotation.next.kid },
      });
    } catch (error) {
      if (!isInlineError(error)) throw error;
      const message = String(error.publicMessage);
      await this.render(response, active, { error: message, tooEarly: tooEarlyWait(error) }, 409);
      return;
    }
    redirectTo(response, withNotice(KEYS, 'keys_rotated'));
  }

  @Post(':kid/revoke')
  async revoke(
    @CurrentSession() active: ActiveSession,
    @Param('kid') kid: string,
    @Body() form: ConsoleFormDto,
    @Res() response: FastifyReply,
  ): Promise<void> {
    if (form.confirm !== 'yes') {
      sendPage(
        response,
        confirmPage({
          screen: 'keys',
          viewer: viewerOf(active),
          title: `Revoke the signing key ${kid}?`,
          consequences: [
            'Every token it signed stops verifying at once here, and at resource services when they next fetch the JWKS. Its private part is erased: this cannot be undone.',
            'An active key is replaced by the next key, and a new next key is made.',
          ],
          action: `${KEYS}/${pathSegment(kid)}/revoke`,
          confirmLabel: 'Revoke the key',
          cancel: KEYS,
        }),
      );
      return;
    }
    const outcome = await attempt(() => this.keys.revoke(kid));
    if (!outcome.ok) {
      await this.render(response, active, { error: outcome.message }, outcome.status);
      return;
    }
    void this.audit.record({
      type: AuditEventType.KeysRevoked,
      outcome: 'success',
      subjectId: kid,
    });
    redirectTo(response, withNotice(KEYS, 'signing_key_revoked'));
  }

  private async render(
    response: FastifyReply,
    active: ActiveSession,
    extras: Omit<KeysPageModel, 'viewer' | 'keys' | 'jwksMaxAge'>,
    status = 200,
  ): Promise<void> {
    const page = keysPage({
      viewer: viewerOf(active),
      keys: await this.keys.list(),
      jwksMaxAge: this.config.jwksMaxAge,
      ...extras,
    });
    sendPage(response, page, status);
  }
}
