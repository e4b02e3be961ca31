/**
 * The one stylesheet of the pages, served at `/assets/keycard.css` (CSP `style-src 'self'`: no
 * inline styles anywhere). Calm on purpose: system fonts, one accent colour, generous spacing, a
 * single column under 600px.
 */
export const STYLESHEET = `
:root {
  --accent: #3451b2;
  --accent-dark: #273f8f;
  --accent-soft: #e8edfb;
  --text: #1c2330;
  --muted: #5b6475;
  --line: #dde1e8;
  --surface: #ffffff;
  --background: #f5f6f8;
  --danger: #b42318;
  --danger-soft: #fdecea;
  --ok: #1f6f43;
  --ok-soft: #e6f4ea;
  --radius: 10px;
  --focus: 0 0 0 3px #ffffff, 0 0 0 5px var(--accent);
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 16px;
  line-height: 1.5;
  color: var(--text);
  background: var(--background);
}
a { color: var(--accent); }
h1, h2, h3 { line-height: 1.25; margin: 0 0 0.5rem; }
h1 { font-size: 1.6rem; }
h2 { font-size: 1.2rem; }
p { margin: 0 0 1rem; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em; }
.muted { color: var(--muted); }
.small { font-size: 0.875rem; }
.visually-hidden {
  position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap;
}

.topbar {
  display: flex; align-items: center; justify-content: space-between; gap: 1rem;
  padding: 0.9rem 1.5rem; background: var(--surface); border-bottom: 1px solid var(--line);
}
.brand { font-weight: 700; font-size: 1.1rem; color: var(--text); text-decoration: none; letter-spacing: 0.01em; }
.brand span { color: var(--accent); }
.topbar-user { display: flex; align-items: center; gap: 0.75rem; min-width: 0; }
.topbar-user .email { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }

main { max-width: 760px; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
.page-login main, .page-error main { max-width: 420px; padding-top: 12vh; }
.card {
  background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius);
  padding: 1.75rem; margin-bottom: 1.5rem; box-shadow: 0 1px 2px rgba(16, 24, 40, 0.04);
}
.card > h2 { margin-bottom: 1rem; }
.card-intro { margin-top: -0.5rem; }
h3 { font-size: 1rem; margin-bottom: 0.75rem; }
.divider-line { border: 0; border-top: 1px solid var(--line); margin: 1.5rem 0; }

label { display: block; font-weight: 600; margin-bottom: 0.35rem; }
.field { margin-bottom: 1.1rem; }
.hint { font-weight: 400; color: var(--muted); font-size: 0.875rem; }
input[type="email"], input[type="password"], input[type="text"], select {
  display: block; width: 100%; padding: 0.65rem 0.75rem; font: inherit; color: inherit;
  background: var(--surface); border: 1px solid #c4cad4; border-radius: 8px;
}
input[readonly] { background: #f8f9fb; }
fieldset { border: 0; padding: 0; margin: 0 0 1.1rem; min-width: 0; }
legend { font-weight: 600; padding: 0; margin-bottom: 0.35rem; }
.checks { display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; }
.check { display: flex; align-items: center; gap: 0.4rem; font-weight: 400; margin: 0; }
.check input { width: 1.05rem; height: 1.05rem; margin: 0; accent-color: var(--accent); }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1rem; }
.grid .span-2 { grid-column: span 2; }

button, .button {
  display: inline-flex; align-items: center; justify-content: center; gap: 0.4rem;
  padding: 0.6rem 1.1rem; font: inherit; font-weight: 600; line-height: 1.2;
  border-radius: 8px; border: 1px solid transparent; cursor: pointer; text-decoration: none;
  background: var(--accent); color: #ffffff;
}
button:hover, .button:hover { background: var(--accent-dark); }
.button-block { width: 100%; }
.button-secondary { background: var(--surface); color: var(--text); border-color: #c4cad4; }
.button-secondary:hover { background: #f0f2f5; }
.button-danger { background: var(--surface); color: var(--danger); border-color: #f0b8b2; }
.button-danger:hover { background: var(--danger-soft); }
.button-small { padding: 0.4rem 0.75rem; font-size: 0.875rem; }
:focus-visible { outline: none; box-shadow: var(--focus); }
input:focus-visible, select:focus-visible { border-color: var(--accent); }

.alert, .notice { border-radius: 8px; padding: 0.75rem 1rem; margin-bottom: 1.25rem; }
.alert { background: var(--danger-soft); color: var(--danger); border: 1px solid #f4c7c1; }
.notice { background: var(--ok-soft); color: var(--ok); border: 1px solid #bfe3cb; }
.divider { display: flex; align-items: center; gap: 0.75rem; color: var(--muted); margin: 1.25rem 0; font-size: 0.875rem; }
.divider::before, .divider::after { content: ""; flex: 1; border-top: 1px solid var(--line); }

.list { list-style: none; margin: 0; padding: 0; }
.item {
  display: flex; align-items: center; justify-content: space-between; gap: 1rem;
  padding: 0.9rem 0; border-top: 1px solid var(--line);
}
.item:first-child { border-top: 0; padding-top: 0; }
.item:last-child { padding-bottom: 0; }
.item-main { min-width: 0; }
.item-title { font-weight: 600; overflow-wrap: anywhere; }
.item-meta { color: var(--muted); font-size: 0.875rem; overflow-wrap: anywhere; }
.item-actions { display: flex; gap: 0.5rem; flex-shrink: 0; }
.item-actions form { margin: 0; }
.item-actions:empty { display: none; }
.badge {
  display: inline-block; padding: 0.05rem 0.5rem; margin-left: 0.35rem; border-radius: 999px;
  font-size: 0.75rem; font-weight: 600; vertical-align: 0.1em;
  background: var(--accent-soft); color: var(--accent-dark);
}
.badge-muted { background: #eef0f3; color: var(--muted); }
.badge-danger { background: var(--danger-soft); color: var(--danger); }
.profile { display: grid; grid-template-columns: max-content 1fr; gap: 0.4rem 1.5rem; margin: 0; }
.profile dt { color: var(--muted); }
.profile dd { margin: 0; overflow-wrap: anywhere; }

.secret-box { border: 1px solid #bfe3cb; background: var(--ok-soft); border-radius: var(--radius); padding: 1.25rem; margin-bottom: 1.5rem; }
.secret-row { display: flex; gap: 0.5rem; margin: 0.5rem 0 0.75rem; }
.secret-row input { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9rem; }
.secret-warning { color: var(--text); font-weight: 600; margin: 0; }
.copy-status { min-height: 1.5em; margin: 0.25rem 0 0; color: var(--ok); font-size: 0.875rem; }

.button-danger-solid { background: var(--danger); color: #ffffff; }
.button-danger-solid:hover { background: #8f1c13; }

.page-admin main { max-width: 1120px; }
.page-admin h1 { overflow-wrap: anywhere; }
.card-end { margin: 1rem 0 0; }
.console-nav { margin: 0 0 1.25rem; border-bottom: 1px solid var(--line); }
.console-nav ul { display: flex; flex-wrap: wrap; gap: 0 1.25rem; list-style: none; margin: 0; padding: 0; }
.console-nav a {
  display: inline-block; padding: 0.5rem 0.1rem; font-weight: 600; text-decoration: none;
  color: var(--muted); border-bottom: 3px solid transparent; margin-bottom: -1px;
}
.console-nav a:hover { color: var(--text); }
.console-nav a[aria-current="page"] { color: var(--accent-dark); border-bottom-color: var(--accent); }
.stats {
  display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 1rem;
  list-style: none; margin: 0 0 1.5rem; padding: 0;
}
.stat { background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius); }
.stat-body { display: block; padding: 1rem 1.25rem; color: inherit; text-decoration: none; }
a.stat-body:hover { background: var(--accent-soft); border-radius: var(--radius); }
.stat-value { display: block; font-size: 1.75rem; font-weight: 700; line-height: 1.2; }
.stat-label { display: block; color: var(--muted); font-size: 0.875rem; }
.table-wrap { overflow-x: auto; margin-bottom: 1rem; }
table.data { width: 100%; border-collapse: collapse; font-size: 0.925rem; }
table.data caption { text-align: left; font-weight: 600; padding-bottom: 0.5rem; }
table.data th, table.data td {
  text-align: left; vertical-align: top; padding: 0.6rem 0.75rem 0.6rem 0;
  border-top: 1px solid var(--line); overflow-wrap: break-word;
}
table.data .badge { white-space: nowrap; margin-left: 0; }
table.data th {
  border-top: 0; color: var(--muted); font-size: 0.8rem; font-weight: 600;
  text-transform: uppercase; letter-spacing: 0.03em;
}
.mono-cell {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85rem;
  overflow-wrap: anywhere;
}
.row-actions { display: flex; flex-wrap: wrap; gap: 0.4rem; }
.row-actions form, .item-actions form, td form { margin: 0; }
.inline-form { display: flex; flex-wrap: wrap; gap: 0 0.75rem; align-items: flex-end; }
.inline-form .grow { flex: 1 1 16rem; }
.inline-form .span-all { flex-basis: 100%; margin: -0.5rem 0 0; }
.filters { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 0 1rem; align-items: end; }
.filter-actions { display: flex; gap: 0.5rem; }
input[type="search"], input[type="date"] {
  display: block; width: 100%; padding: 0.6rem 0.75rem; font: inherit; color: inherit;
  background: var(--surface); border: 1px solid #c4cad4; border-radius: 8px;
}
.pager { display: flex; align-items: center; justify-content: space-between; gap: 1rem; }
.confirm-actions { display: flex; flex-wrap: wrap; gap: 0.75rem; margin-top: 1.25rem; }

@media (max-width: 600px) {
  /* A table with class "cards": each row a card, each cell under its column's name. */
  .cards thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .cards, .cards tbody, .cards tr, .cards td { display: block; width: 100%; }
  .cards tr { border-top: 1px solid var(--line); padding: 0.6rem 0; }
  .cards td { border: 0; padding: 0.15rem 0; }
  .cards td[data-label]::before {
    content: attr(data-label); display: block; color: var(--muted); font-size: 0.75rem;
    font-weight: 600; text-transform: uppercase; letter-spacing: 0.03em;
  }
  .console-nav ul { gap: 0 0.9rem; }
  .pager { flex-wrap: wrap; }
}

details.confirm > summary { list-style: none; cursor: pointer; display: inline-block; }
details.confirm > summary::-webkit-details-marker { display: none; }
details.confirm[open] > summary { margin-bottom: 0.5rem; }
.confirm-body { max-width: 22rem; }
@media (max-width: 600px) {
  .topbar { padding: 0.75rem 1rem; }
  .topbar-user .email { display: none; }
  main { padding: 1.25rem 1rem 3rem; }
  .page-login main, .page-error main { padding-top: 2rem; }
  .card { padding: 1.25rem; }
  .grid { grid-template-columns: 1fr; }
  .grid .span-2 { grid-column: auto; }
  .item { flex-direction: column; align-items: stretch; }
  .item-actions { justify-content: flex-start; }
  .secret-row { flex-direction: column; }
  .profile { grid-template-columns: 1fr; gap: 0 0; }
  .profile dd { margin-bottom: 0.6rem; }
}
`;
