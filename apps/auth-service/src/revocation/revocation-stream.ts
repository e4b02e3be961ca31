import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { RevocationEvent, RevocationMessage } from '@keycard/auth';
import { RevocationEvents } from './revocation-events.service';
import { RevocationFeed } from './revocation-feed';

/** A Fastify reply (its Node response in `raw`) or an Express/Node response. */
export type StreamResponse = ServerResponse | { raw: ServerResponse; hijack(): void };

const PAGE = 500;

function nodeResponse(response: StreamResponse): ServerResponse {
  if ('hijack' in response) {
    // Fastify must not answer this request itself: the stream stays open.
    response.hijack();
    return response.raw;
  }
  return response;
}

/**
 * Serves one verifier's Server-Sent Events stream: every unexpired event after its cursor, then
 * each new one as the feed reads it, and a heartbeat with the log's head every second. Events the
 * feed hands out while the backlog is being read wait, and are sent once, in order.
 */
@Injectable()
export class RevocationStream implements BeforeApplicationShutdown {
  private readonly open = new Set<ServerResponse>();

  constructor(
    private readonly events: RevocationEvents,
    private readonly feed: RevocationFeed,
  ) {}

  async serve(response: StreamResponse, after: number): Promise<void> {
    const raw = nodeResponse(response);
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.flushHeaders();
    this.open.add(raw);
    let sent = after;
    let waiting: RevocationEvent[] | undefined = [];
    const send = (event: RevocationEvent) => {
      if (event.id <= sent) return;
      sent = event.id;
      write(raw, { type: 'event', event }, event.id);
    };
    const unsubscribe = this.feed.subscribe((event) =>
      waiting === undefined ? send(event) : waiting.push(event),
    );
    const stopBeating = this.feed.onHeartbeat((head) =>
      write(raw, { type: 'heartbeat', head: Math.max(head, sent) }),
    );
    raw.on('close', () => {
      unsubscribe();
      stopBeating();
      this.open.delete(raw);
    });
    try {
      await this.backlog(after, send);
    } catch {
      raw.end();
      return;
    }
    for (const event of waiting) send(event);
    waiting = undefined;
    write(raw, { type: 'heartbeat', head: Math.max(this.feed.head, sent) });
  }

  /** Ends every open stream, so that shutdown does not wait for them (verifiers reconnect). */
  beforeApplicationShutdown(): void {
    for (const raw of this.open) raw.end();
    this.open.clear();
  }

  private async backlog(after: number, send: (event: RevocationEvent) => void): Promise<void> {
    let cursor = after;
    for (;;) {
      const page = await this.events.since(cursor, PAGE);
      for (const event of page) send(event);
      if (page.length < PAGE) return;
      cursor = page[page.length - 1].id;
    }
  }
}

function write(raw: ServerResponse, message: RevocationMessage, id?: number): void {
  if (raw.writableEnded) return;
  raw.write(`${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(message)}\n\n`);
}
