import type { HtmlValue, SafeHtml } from './html';
import { html } from './html';

export interface LayoutOptions {
  title: string;
  /** `login`, `account`, `admin` or `error`: a class on `<body>` for page-specific layout. */
  page: 'login' | 'account' | 'admin' | 'error';
  body: SafeHtml;
  /** Shown in the top bar, with the sign-out button, when someone is signed in. */
  signedIn?: { email: string; csrfToken: string };
  scripts?: string[];
}

function topbar(signedIn: LayoutOptions['signedIn']): SafeHtml {
  const user: HtmlValue = signedIn
    ? html`<div class="topbar-user">
        <span class="email muted small">${signedIn.email}</span>
        <form method="post" action="/session/logout">
          <input type="hidden" name="_csrf" value="${signedIn.csrfToken}" />
          <button type="submit" class="button-secondary button-small">Sign out</button>
        </form>
      </div>`
    : null;
  return html`<header class="topbar">
    <a class="brand" href="${signedIn ? '/account' : '/login'}">Key<span>card</span></a>
    ${user}
  </header>`;
}

/** The page shell: one stylesheet, deferred same-origin scripts, a viewport for phones. */
export function layout(options: LayoutOptions): SafeHtml {
  const scripts = (options.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`);
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · Keycard</title>
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/assets/keycard.css" />
        ${scripts}
      </head>
      <body class="page-${options.page}">
        ${topbar(options.signedIn)}
        <main>${options.body}</main>
      </body>
    </html> `;
}
