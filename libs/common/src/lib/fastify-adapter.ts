import type { NestFastifyBodyParserOptions } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyBodyParser, FastifyServerOptions } from 'fastify';
import { ErrorCode, KeycardError } from './errors';
import { BODY_LIMIT_BYTES } from './http-app';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from './json-depth';

type BufferParser = FastifyBodyParser<Buffer>;

function isJsonType(type: string | string[] | RegExp): boolean {
  return type === 'application/json' || (Array.isArray(type) && type.includes('application/json'));
}

/** Runs `parser` only on bodies nested at most `MAX_JSON_DEPTH` deep; deeper ones are a 400. */
function refusingDeepJson(parser: BufferParser): BufferParser {
  return (request, body, done) => {
    if (exceedsJsonDepth(body)) {
      done(
        new KeycardError(ErrorCode.ValidationFailed, {
          message: `JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
          reason: 'request body nested too deeply',
        }),
        undefined,
      );
      return;
    }
    // Nest calls every body parser with a callback (FastifyAdapter.useBodyParser).
    (parser as (...args: Parameters<BufferParser>) => void)(request, body, done);
  };
}

/**
 * Fastify for Keycard's HTTP apps: Nest's own JSON parser, but a body nested deeper than
 * `MAX_JSON_DEPTH` is refused before it is parsed, so neither the parser nor DTO validation (which
 * recurses, and overflowed the stack on 5,000 levels) ever walks it. Form bodies need no such check:
 * Nest parses them flat (`a[b]=c` is the key `a[b]`).
 */
export class KeycardFastifyAdapter extends FastifyAdapter {
  override useBodyParser(
    type: string | string[] | RegExp,
    rawBody: boolean,
    options?: NestFastifyBodyParserOptions,
    parser?: BufferParser,
  ): void {
    super.useBodyParser(
      type,
      rawBody,
      options,
      parser && isJsonType(type) ? refusingDeepJson(parser) : parser,
    );
  }
}

export type KeycardHttpOptions = Pick<FastifyServerOptions, 'trustProxy'>;

/** The Fastify adapter every Keycard service is created with: bodies up to `BODY_LIMIT_BYTES`. */
export function keycardHttpAdapter(options: KeycardHttpOptions = {}): FastifyAdapter {
  return new KeycardFastifyAdapter({ ...options, bodyLimit: BODY_LIMIT_BYTES });
}
