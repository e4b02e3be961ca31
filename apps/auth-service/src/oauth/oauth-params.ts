import { ErrorCode, KeycardError } from '@keycard/common';

/** RFC 6749 §5.2 `invalid_request`. */
export function invalidRequest(message: string): KeycardError {
  return new KeycardError(ErrorCode.OAuthInvalidRequest, { message });
}

/**
 * The parameters of an OAuth request body (form-encoded, or JSON), read explicitly rather than
 * through DTO validation so that every problem is an RFC 6749 `invalid_request`. Empty values
 * count as omitted (§3.1) and a repeated parameter is refused (§3.1, RFC 7009/7662 alike).
 */
export class OAuthParams {
  private readonly values: Readonly<Record<string, unknown>>;

  constructor(body: unknown) {
    if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) {
      throw invalidRequest('The request body must be a set of form parameters');
    }
    this.values = (body ?? {}) as Record<string, unknown>;
  }

  get(name: string): string | undefined {
    if (!Object.prototype.hasOwnProperty.call(this.values, name)) return undefined;
    const value = this.values[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (Array.isArray(value)) throw invalidRequest(`The ${name} parameter is repeated`);
    if (typeof value !== 'string') throw invalidRequest(`The ${name} parameter must be a string`);
    return value;
  }

  require(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw invalidRequest(`The ${name} parameter is required`);
    return value;
  }
}

/** What every OAuth endpoint reads from a request. */
export interface OAuthRequest {
  authorization?: string;
  params: OAuthParams;
}
