import type { SafeHtml } from '../../web/html';
import { html } from '../../web/html';
import { layout } from '../../web/layout';

export type ConsoleScreen = 'overview' | 'users' | 'clients' | 'keys' | 'audit';

/** Who is looking, for the top bar's sign-out form and every form's CSRF field. */
export interface ConsoleViewer {
  email: string;
  csrfToken: string;
}

/** A fixed, public message shown above a screen: what was just done, or why it was refused. */
export interface ConsoleMessages {
  notice?: string;
  /** From `KeycardError.publicMessage` or a fixed text; escaped like everything else. */
  error?: string;
}

const SCREENS: { screen: ConsoleScreen; href: string; label: string }[] = [
  { screen: 'overview', href: '/admin', label: 'Overview' },
  { screen: 'users', href: '/admin/console/users', label: 'Users' },
  { screen: 'clients', href: '/admin/console/clients', label: 'Clients' },
  { screen: 'keys', href: '/admin/console/keys', label: 'Signing keys' },
  { screen: 'audit', href: '/admin/console/audit', label: 'Audit log' },
];

function nav(current: ConsoleScreen): SafeHtml {
  const links = SCREENS.map(
    ({ screen, href, label }) =>
      html`<li>
        <a href="${href}" ${screen === current ? html`aria-current="page"` : null}>${label}</a>
      </li>`,
  );
  return html`<nav class="console-nav" aria-label="Admin console">
    <ul>
      ${links}
    </ul>
  </nav>`;
}

export function messages({ notice, error }: ConsoleMessages): SafeHtml {
  return html`${error ? html`<p class="alert" role="alert">${error}</p>` : null}${notice
    ? html`<p class="notice" role="status">${notice}</p>`
    : null}`;
}

/** The hidden CSRF field every console form carries. */
export function csrfField(viewer: ConsoleViewer): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${viewer.csrfToken}" />`;
}

export interface ConsolePageOptions {
  screen: ConsoleScreen;
  title: string;
  viewer: ConsoleViewer;
  body: SafeHtml;
  /**
   * The screen's own address: after a form post that shows a page (a secret, a confirmation),
   * the console script puts it in the address bar, so a reload is a harmless GET.
   */
  canonical: string;
}

/** The shell of every console screen: the page layout, the console's navigation and its script. */
export function consolePage(options: ConsolePageOptions): SafeHtml {
  return layout({
    title: `${options.title} · Admin`,
    page: 'admin',
    signedIn: options.viewer,
    scripts: ['/assets/admin.js'],
    body: html`<div data-canonical="${options.canonical}">
      ${nav(options.screen)}
      <h1>${options.title}</h1>
      ${options.body}
    </div>`,
  });
}
