import type { SafeHtml } from '../web/html';
import { html } from '../web/html';
import type { MailToSend } from './mail-outbox.service';

/** The product name every message is signed with. */
export const PRODUCT_NAME = 'Keycard';

/** What an account message says; `composeMail` turns it into plain text and HTML. */
export interface MailContent {
  to: string;
  subject: string;
  /** Paragraphs before the action. */
  lines: string[];
  /** The one link of the message, shown as a button and as plain text. */
  action?: { label: string; url: string; expiresInSeconds: number };
  /** Paragraphs after the action (why you got this, what to do if it was not you). */
  footer: string[];
}

/** "30 minutes", "24 hours", "7 days". */
export function describeDuration(seconds: number): string {
  const unit = (n: number, name: string) => `${n} ${name}${n === 1 ? '' : 's'}`;
  if (seconds >= 2 * 86_400 && seconds % 86_400 === 0) return unit(seconds / 86_400, 'day');
  if (seconds % 3600 === 0) return unit(seconds / 3600, 'hour');
  return unit(Math.max(1, Math.round(seconds / 60)), 'minute');
}

/**
 * Plain text and HTML with the same words: no images, no tracking pixels, no rewritten links;
 * every value is escaped in the HTML part.
 */
export function composeMail(content: MailContent): MailToSend {
  const action = content.action;
  const expiry = action
    ? `This link works once and expires in ${describeDuration(action.expiresInSeconds)}.`
    : undefined;
  const text = [
    ...content.lines,
    ...(action ? [`${action.label}:\n${action.url}`, expiry as string] : []),
    ...content.footer,
    `— ${PRODUCT_NAME}`,
  ].join('\n\n');
  const paragraphs = (lines: string[]): SafeHtml[] => lines.map((line) => html`<p>${line}</p>`);
  const button = action
    ? html`<p>
          <a
            href="${action.url}"
            style="display:inline-block;padding:10px 18px;background:#1f4fd1;color:#ffffff;text-decoration:none;border-radius:6px"
            >${action.label}</a
          >
        </p>
        <p style="font-size:13px;color:#555555">
          Or paste this link into your browser:<br />${action.url}
        </p>
        <p>${expiry}</p>`
    : null;
  const body = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${content.subject}</title>
      </head>
      <body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:560px">
        ${paragraphs(content.lines)}${button}
        <div style="font-size:13px;color:#555555">${paragraphs(content.footer)}</div>
        <p>— ${PRODUCT_NAME}</p>
      </body>
    </html>`;
  return {
    to: content.to,
    subject: `${content.subject} · ${PRODUCT_NAME}`,
    text,
    html: body.value,
  };
}
