import { Injectable } from '@nestjs/common';

/** The origin a return path's redirects end at, when a feature knows it (else undefined). */
export type FormTargetResolver = (returnPath: string) => Promise<string | undefined>;

/**
 * Where the redirects after a sign-in form may lead besides this origin. Browsers apply a page's
 * CSP `form-action` to every hop after its form, so a form whose sign-in ends at an app (an
 * authorization request waiting at `/oauth/authorize/resume`) must name the app's origin, or the
 * browser stops before the app. Features that send browsers elsewhere register a resolver (the
 * OpenID provider does); pages that show a sign-in step ask here, without knowing those features.
 */
@Injectable()
export class FormTargets {
  private readonly resolvers: FormTargetResolver[] = [];

  register(resolver: FormTargetResolver): void {
    this.resolvers.push(resolver);
  }

  /** The other origin the redirects after the form may reach, for the remembered return path. */
  async originFor(returnPath: string | undefined): Promise<string | undefined> {
    if (returnPath === undefined) return undefined;
    for (const resolve of this.resolvers) {
      const origin = await resolve(returnPath);
      if (origin !== undefined) return origin;
    }
    return undefined;
  }
}
