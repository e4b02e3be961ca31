// The signing bound of client-credentials grants, measured in the same run as the grants: a Nest
// app whose one route only signs an access token the way the auth-service does (jsonwebtoken,
// RS256 with a 2048-bit key, the claims of a client's token) and answers it as a token response.
// No client lookup, logging, metrics or anything else a real token endpoint needs. On Express
// (Nest's default) unless SIGN_BASELINE_PLATFORM=fastify (the auth-service's platform), with Nest's
// default body parsers either way. `GET /health` answers 200 for the bench's readiness
// check. Port from SIGN_BASELINE_PORT; plain CommonJS with decorators applied by hand, so it needs
// no build.
'use strict';
require('reflect-metadata');
const { Controller, Get, HttpCode, Module, Post } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { generateKeyPairSync, randomUUID } = require('node:crypto');
const { sign } = require('jsonwebtoken');

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ISSUER = 'http://127.0.0.1';

class SignController {
  token() {
    const iat = Math.floor(Date.now() / 1000);
    const claims = {
      iss: ISSUER,
      sub: 'bench-client',
      aud: ISSUER,
      iat,
      exp: iat + 900,
      jti: randomUUID(),
      roles: [],
      scope: '',
      client_id: 'bench-client',
    };
    const token = sign(claims, privateKey, {
      algorithm: 'RS256',
      header: { alg: 'RS256', typ: 'at+jwt', kid: 'bench' },
    });
    return { access_token: token, token_type: 'Bearer', expires_in: 900, scope: '' };
  }

  health() {
    return { status: 'ok' };
  }
}

/** Applies method decorators the way TypeScript would. */
function decorate(target, method, decorators) {
  const descriptor = Object.getOwnPropertyDescriptor(target.prototype, method);
  for (const decorator of decorators) decorator(target.prototype, method, descriptor);
}
decorate(SignController, 'token', [Post('oauth/token'), HttpCode(200)]);
decorate(SignController, 'health', [Get('health')]);
Controller()(SignController);

class SignBaselineModule {}
Module({ controllers: [SignController] })(SignBaselineModule);

process.once('SIGTERM', () => process.exit(0));
function create() {
  if (process.env.SIGN_BASELINE_PLATFORM !== 'fastify')
    return NestFactory.create(SignBaselineModule, { logger: false });
  const { FastifyAdapter } = require('@nestjs/platform-fastify');
  return NestFactory.create(SignBaselineModule, new FastifyAdapter(), { logger: false });
}

create()
  .then((app) => app.listen(Number(process.env.SIGN_BASELINE_PORT), '127.0.0.1'))
  .catch((error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  });
