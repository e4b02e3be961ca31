import { Controller, Get, Headers, Query, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@keycard/auth';
import { ErrorCode, KeycardError } from '@keycard/common';
import { RevocationEvents } from '../revocation/revocation-events.service';
import { RevocationFeed } from '../revocation/revocation-feed';
import { RevocationStream, StreamResponse } from '../revocation/revocation-stream';
import { RevocationClientGuard } from './revocation-client.guard';

const MAX_PAGE = 500;

/** A cursor: a whole number of at least 0 (absent: from the start of what is still relevant). */
function cursor(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  if (!/^\d{1,15}$/.test(value))
    throw new KeycardError(ErrorCode.BadRequest, { message: 'after must be a whole number' });
  return Number(value);
}

/**
 * The revocation log (`../revocation/`) for verifiers, who call it as registered clients, like
 * introspection: a page from a cursor, or a Server-Sent Events stream from a cursor (`after`, else
 * `Last-Event-ID`) that stays open with heartbeats.
 */
@ApiExcludeController()
@Public()
@UseGuards(RevocationClientGuard)
@Controller('revocations')
export class RevocationsController {
  constructor(
    private readonly events: RevocationEvents,
    private readonly feed: RevocationFeed,
    private readonly streams: RevocationStream,
  ) {}

  @Get()
  async page(
    @Query('after') after?: string,
    @Query('limit') limit?: string,
  ): Promise<{ events: unknown[]; head: number }> {
    const size = limit === undefined ? MAX_PAGE : Math.min(MAX_PAGE, Math.max(1, cursor(limit)));
    const events = await this.events.since(cursor(after), size);
    const last = events.at(-1)?.id ?? 0;
    return { events, head: Math.max(this.feed.head, last) };
  }

  @Get('stream')
  async stream(
    @Res() response: StreamResponse,
    @Query('after') after?: string,
    @Headers('last-event-id') lastEventId?: string,
  ): Promise<void> {
    const from = cursor(after ?? lastEventId);
    await this.streams.serve(response, from);
  }
}
