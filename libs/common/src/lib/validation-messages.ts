import { BadRequestException } from '@nestjs/common';
import { getMetadataStorage, type ValidationError } from 'class-validator';

/** The names a DTO class declares (every property with a validation decorator). */
function declaredProperties(target: object | undefined): string[] {
  if (target === undefined) return [];
  const metadata = getMetadataStorage().getTargetValidationMetadatas(
    target.constructor,
    '',
    true,
    false,
  );
  return [...new Set(metadata.map((entry) => entry.propertyName))];
}

/** Levenshtein distance, small strings only (property names). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The declared property an unknown one was probably meant to be (`role` → `roles`). */
export function closestProperty(unknown: string, declared: readonly string[]): string | undefined {
  const wanted = unknown.toLowerCase();
  let best: { name: string; score: number } | undefined;
  for (const name of declared) {
    const score = distance(wanted, name.toLowerCase());
    if (score <= 2 && score < wanted.length && (best === undefined || score < best.score)) {
      best = { name, score };
    }
  }
  return best?.name;
}

/** Every failed constraint's message, nested DTOs included, with a hint for a misspelt field. */
export function validationMessages(errors: ValidationError[], path = ''): string[] {
  const messages: string[] = [];
  for (const error of errors) {
    const name = `${path}${error.property}`;
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      const hint =
        constraint === 'whitelistValidation'
          ? closestProperty(error.property, declaredProperties(error.target))
          : undefined;
      messages.push(hint === undefined ? message : `${message} (did you mean "${path}${hint}"?)`);
    }
    messages.push(...validationMessages(error.children ?? [], `${name}.`));
  }
  return messages;
}

/** The ValidationPipe's answer: 400 with one message per problem, as Nest's own, plus hints. */
export function validationException(errors: ValidationError[]): BadRequestException {
  return new BadRequestException(validationMessages(errors));
}
