import type { SafeHtml } from '../../web/html';
import { html } from '../../web/html';
import type { AuditEventView } from '../../audit/audit-query.service';
import { AuditEventType } from '../../audit/audit-events';
import type { ConsoleMessages, ConsoleViewer } from './console-layout';
import { consolePage, messages } from './console-layout';
import type { PageInfo } from './paging';
import { pager, queryString } from './paging';

/** The filters as typed in the form (dates as `YYYY-MM-DD`, UTC). */
export interface AuditFilterForm {
  type: string;
  outcome: string;
  actorId: string;
  subjectId: string;
  from: string;
  to: string;
}

export interface AuditPageModel extends PageInfo, ConsoleMessages {
  viewer: ConsoleViewer;
  events: AuditEventView[];
  filter: AuditFilterForm;
}

const TYPES: readonly string[] = Object.values(AuditEventType).sort();
const PREFIXES: readonly string[] = [...new Set(TYPES.map((type) => `${type.split('.')[0]}.*`))];

function option(value: string, label: string, selected: string): SafeHtml {
  return html`<option value="${value}" ${value === selected ? html`selected` : null}>
    ${label}
  </option>`;
}

function textField(id: string, label: string, value: string, type = 'text'): SafeHtml {
  return html`<div class="field">
    <label for="audit-${id}">${label}</label>
    <input
      id="audit-${id}"
      name="${id}"
      type="${type}"
      value="${value}"
      maxlength="128"
      autocomplete="off"
      spellcheck="false"
    />
  </div>`;
}

function filters(filter: AuditFilterForm): SafeHtml {
  return html`<form method="get" action="/admin/console/audit" class="filters" role="search">
    <div class="field">
      <label for="audit-type">Type</label>
      <select id="audit-type" name="type">
        ${option('', 'Any type', filter.type)}
        <optgroup label="Every type of">
          ${PREFIXES.map((prefix) => option(prefix, prefix, filter.type))}
        </optgroup>
        <optgroup label="One type">
          ${TYPES.map((type) => option(type, type, filter.type))}
        </optgroup>
      </select>
    </div>
    <div class="field">
      <label for="audit-outcome">Outcome</label>
      <select id="audit-outcome" name="outcome">
        ${option('', 'Any outcome', filter.outcome)} ${option('success', 'success', filter.outcome)}
        ${option('failure', 'failure', filter.outcome)}
      </select>
    </div>
    ${textField('actorId', 'Actor id', filter.actorId)}
    ${textField('subjectId', 'Subject id', filter.subjectId)}
    ${textField('from', 'From (UTC day)', filter.from, 'date')}
    ${textField('to', 'To (UTC day)', filter.to, 'date')}
    <div class="field filter-actions">
      <button type="submit">Filter</button>
      <a class="button button-secondary" href="/admin/console/audit">Clear</a>
    </div>
  </form>`;
}

function detailsText(event: AuditEventView): string {
  if (!event.details) return '';
  return Object.entries(event.details)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(',') : String(value)}`)
    .join(' ');
}

function eventRow(event: AuditEventView): SafeHtml {
  const actor = event.actorType ? `${event.actorType} ${event.actorId ?? ''}`.trim() : 'anonymous';
  return html`<tr>
    <td data-label="Time">${event.at.slice(0, 19).replace('T', ' ')}</td>
    <td data-label="Type"><code>${event.type}</code></td>
    <td data-label="Outcome">
      <span class="${event.outcome === 'success' ? 'badge' : 'badge badge-danger'}"
        >${event.outcome}</span
      >
    </td>
    <td data-label="Actor" class="mono-cell">${actor}</td>
    <td data-label="Subject" class="mono-cell">${event.subjectId ?? '—'}</td>
    <td data-label="Address">${event.ip ?? '—'}</td>
    <td data-label="Details" class="mono-cell">${detailsText(event) || '—'}</td>
  </tr>`;
}

/** `/admin/console/audit`: the audit trail, newest first, filtered and paged. */
export function auditPage(model: AuditPageModel): SafeHtml {
  const keep = { ...model.filter };
  return consolePage({
    screen: 'audit',
    title: 'Audit log',
    viewer: model.viewer,
    canonical: `/admin/console/audit${queryString(keep)}`,
    body: html`${messages(model)}
      <section class="card" aria-labelledby="filter-title">
        <h2 id="filter-title" class="visually-hidden">Filters</h2>
        ${filters(model.filter)}
      </section>
      <section class="card" aria-labelledby="events-title">
        <h2 id="events-title">Events</h2>
        <div class="table-wrap">
          <table class="data cards">
            <thead>
              <tr>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Type</th>
                <th scope="col">Outcome</th>
                <th scope="col">Actor</th>
                <th scope="col">Subject</th>
                <th scope="col">Address</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              ${model.events.length > 0
                ? model.events.map(eventRow)
                : html`<tr>
                    <td colspan="7" class="muted">No event matches.</td>
                  </tr>`}
            </tbody>
          </table>
        </div>
        ${pager(model, (page) => `/admin/console/audit${queryString({ ...keep, page })}`)}
      </section>`,
  });
}
