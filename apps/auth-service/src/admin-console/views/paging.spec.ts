import { pager } from './paging';

const text = (info: Parameters<typeof pager>[0]) =>
  String(pager(info, (page) => `/admin/console/audit?page=${page}`)).replace(/\s+/g, ' ');

describe('pager', () => {
  it('shows the exact count and no Next link on the last page', () => {
    const last = text({ page: 2, pageSize: 50, total: 60 });
    expect(last).toContain('Page 2 of 2 · 60 in all');
    expect(last).toContain('href="/admin/console/audit?page=1"');
    expect(last).not.toContain('Next');
  });

  it('marks a capped count with + and offers the next page past its last counted one', () => {
    const capped = text({ page: 20, pageSize: 50, total: 1000, totalCapped: true });
    expect(capped).toContain('Page 20 of 20+ · 1000+ in all');
    expect(capped).toContain('href="/admin/console/audit?page=21"');
    expect(text({ page: 1, pageSize: 50, total: 1000, totalCapped: true })).toContain(
      'Page 1 of 20+ · 1000+ in all',
    );
  });
});
