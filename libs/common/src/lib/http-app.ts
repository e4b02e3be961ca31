import {
  INestApplication,
  PipeTransform,
  Type,
  UsePipes,
  ValidationPipe,
  ValidationPipeOptions,
} from '@nestjs/common';
import { PIPES_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { ErrorObserver, KeycardExceptionFilter } from './exception.filter';
import { validationException } from './validation-messages';

/** Largest accepted request body; larger ones get 413 (the contract's 64 KiB). */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** Strict DTO validation: unknown or mistyped fields are a 400, never a 500. */
export const KEYCARD_VALIDATION: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  stopAtFirstError: false,
  // Nest's messages, plus "did you mean" for a misspelt field (`role` → `roles`): the hint needs
  // the DTO (`target`), never the submitted values, which stay out of every answer.
  validationError: { target: true, value: false },
  exceptionFactory: validationException,
};

/**
 * Validates the `@Body()`, `@Query()` and `@Param()` DTOs of a controller or handler, for apps
 * configured with `validation: 'declared'`.
 */
export const ValidateInput = (): ClassDecorator & MethodDecorator =>
  UsePipes(new ValidationPipe(KEYCARD_VALIDATION));

export interface HttpAppOptions {
  /** Sees every error the exception filter answers (metrics). */
  observeErrors?: ErrorObserver;
  /**
   * `'global'` (default): one global ValidationPipe. `'declared'`: DTOs are validated where
   * `@ValidateInput()` says so, and start-up fails if any DTO parameter is not. Nest runs every
   * global pipe on every handler parameter, `@CurrentPrincipal()` included, as a chain of
   * promises; without one, a hot route that takes no input pays nothing for validation.
   */
  validation?: 'global' | 'declared';
}

/**
 * What every Keycard HTTP app shares, on Express or Fastify: one exception filter, strict DTO
 * validation and graceful shutdown hooks.
 */
export function configureHttpApp(app: INestApplication, options: HttpAppOptions = {}): void {
  app.useGlobalFilters(new KeycardExceptionFilter(app.get(HttpAdapterHost), options.observeErrors));
  if (options.validation === 'declared') assertInputValidated(app.get(ModulesContainer));
  else app.useGlobalPipes(new ValidationPipe(KEYCARD_VALIDATION));
  app.enableShutdownHooks();
}

/** Parameter kinds that carry client input. */
const INPUT_PARAMS = new Set<number>([
  RouteParamtypes.BODY,
  RouteParamtypes.QUERY,
  RouteParamtypes.PARAM,
]);
/**
 * Types a ValidationPipe passes through as they are: nothing to validate. (`number` and `boolean`
 * parameters are not among them: the pipe converts those from the path or query string.)
 */
const PLAIN_TYPES = new Set<unknown>([String, Object, Array]);

type PipeLike = PipeTransform | Type<PipeTransform>;

function isValidationPipe(pipe: PipeLike): boolean {
  return (
    pipe instanceof ValidationPipe ||
    (typeof pipe === 'function' &&
      (pipe === ValidationPipe || pipe.prototype instanceof ValidationPipe))
  );
}

function pipesOf(target: object): PipeLike[] {
  return (Reflect.getMetadata(PIPES_METADATA, target) as PipeLike[] | undefined) ?? [];
}

/** The methods of a controller, inherited ones included (their routes are registered too). */
function methodNames(controller: Type<unknown>): Set<string> {
  const names = new Set<string>();
  for (
    let prototype: object | null = controller.prototype as object;
    prototype !== null && prototype !== Object.prototype;
    prototype = Object.getPrototypeOf(prototype) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(prototype)) names.add(name);
  }
  return names;
}

/**
 * Fails closed at start-up: throws naming every controller parameter that takes a DTO from the
 * body, query or path without a ValidationPipe at the parameter, handler or controller.
 */
export function assertInputValidated(modules: ModulesContainer): void {
  const unvalidated: string[] = [];
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type<unknown> | null;
      if (!controller) continue;
      const classValidates = pipesOf(controller).some(isValidationPipe);
      for (const method of methodNames(controller)) {
        const handler = (controller.prototype as Record<string, unknown>)[method];
        if (method === 'constructor' || typeof handler !== 'function') continue;
        const params = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) as
          | Record<string, { index: number; pipes?: PipeLike[] }>
          | undefined;
        if (!params) continue;
        const types =
          (Reflect.getMetadata('design:paramtypes', controller.prototype, method) as
            | unknown[]
            | undefined) ?? [];
        const handlerValidates = classValidates || pipesOf(handler).some(isValidationPipe);
        for (const [key, param] of Object.entries(params)) {
          const kind = Number(key.split(':')[0]);
          const type = types[param.index];
          if (!INPUT_PARAMS.has(kind) || typeof type !== 'function' || PLAIN_TYPES.has(type))
            continue;
          if (handlerValidates || (param.pipes ?? []).some(isValidationPipe)) continue;
          unvalidated.push(`${controller.name}.${method} parameter ${param.index} (${type.name})`);
        }
      }
    }
  }
  if (unvalidated.length > 0) {
    throw new Error(
      `Unvalidated input: ${unvalidated.join(', ')}. Add @ValidateInput() to the handler or controller.`,
    );
  }
}
