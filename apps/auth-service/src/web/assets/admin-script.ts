/**
 * The admin console's script, served at `/assets/admin.js` (CSP `script-src 'self'`; nothing
 * inline). The console works without it; it adds the copy button of a new secret and, after a form
 * post that answered with a page (a secret, a confirmation), puts the screen's own address in the
 * address bar, so a reload is a plain GET that never repeats the action or shows the secret again.
 */
export const ADMIN_SCRIPT = `
(function () {
  'use strict';
  var screen = document.querySelector('[data-canonical]');
  var canonical = screen ? screen.getAttribute('data-canonical') : null;
  // Also when the address is already right (a post to the screen's own path): replacing the
  // history entry is what turns it from a POST into a GET for the reload button.
  if (canonical && canonical.charAt(0) === '/' && canonical.charAt(1) !== '/') {
    window.history.replaceState(null, '', canonical);
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
