/**
 * The only script of the pages, served at `/assets/account.js` (CSP `script-src 'self'`; nothing
 * inline). The pages work without it; it adds the copy button and keeps a reload from posting a
 * form again (after a POST the address becomes `/account`, so a reload is a plain GET, which
 * never shows a key's secret).
 */
export const ACCOUNT_SCRIPT = `
(function () {
  'use strict';
  if (window.location.pathname !== '/account' || window.location.search !== '') {
    window.history.replaceState(null, '', '/account');
  }

  function say(button, text) {
    var status = document.getElementById(button.getAttribute('data-copy-status'));
    if (status) status.textContent = text;
  }

  document.addEventListener('click', function (event) {
    var button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
    if (!button) return;
    var field = document.getElementById(button.getAttribute('data-copy'));
    if (!field) return;
    var fallback = function () {
      field.focus();
      field.select();
      var copied = false;
      try { copied = document.execCommand('copy'); } catch (error) { copied = false; }
      say(button, copied ? 'Copied to the clipboard.' : 'Selected: press Ctrl+C (or \\u2318C) to copy.');
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () {
        say(button, 'Copied to the clipboard.');
      }, fallback);
    } else {
      fallback();
    }
  });
})();
`;
