import { ErrorCode, ManualClock } from '@keycard/common';
import { codeOf } from '@keycard/testing';
import type { Principal } from '@keycard/auth';
import type { TestDataSource } from '../testing/test-database';
import { availableBackends, openTestDataSource } from '../testing/test-database';
import { DocumentEntity } from './document.entity';
import { DocumentsService } from './documents.service';

const caller = (sub: string, roles: string[] = ['user']): Principal => ({
  sub,
  authType: 'jwt',
  roles,
  scopes: [],
  scopeRestricted: false,
});
const alice = caller('alice');
const bob = caller('bob');
const admin = caller('root', ['user', 'admin']);

describe.each(availableBackends())('DocumentsService on %s', (backend) => {
  let db: TestDataSource;
  let clock: ManualClock;
  let service: DocumentsService;

  beforeAll(async () => {
    db = await openTestDataSource(backend);
  });

  afterAll(() => db.close());

  beforeEach(async () => {
    await db.dataSource.getRepository(DocumentEntity).clear();
    clock = new ManualClock(Date.UTC(2026, 0, 1));
    service = new DocumentsService(db.dataSource.getRepository(DocumentEntity), clock);
  });

  it('creates a document owned by the caller, stamped with the clock', async () => {
    const created = await service.create(alice, { title: 'Notes', body: 'hello' });
    expect(created).toMatchObject({
      title: 'Notes',
      body: 'hello',
      ownerId: 'alice',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    await expect(service.get(alice, created.id)).resolves.toEqual(created);
  });

  it("lists only the caller's documents, and every document for an admin", async () => {
    await service.create(alice, { title: 'a1', body: '' });
    clock.advance(1000);
    await service.create(bob, { title: 'b1', body: '' });
    clock.advance(1000);
    await service.create(alice, { title: 'a2', body: '' });
    expect((await service.list(alice)).map((d) => d.title)).toEqual(['a1', 'a2']);
    expect((await service.list(bob)).map((d) => d.title)).toEqual(['b1']);
    expect((await service.list(admin)).map((d) => d.title)).toEqual(['a1', 'b1', 'a2']);
  });

  it("hides another owner's document as not found, but not from an admin", async () => {
    const { id } = await service.create(alice, { title: 'private', body: 'x' });
    expect(await codeOf(service.get(bob, id))).toBe(ErrorCode.NotFound);
    expect(await codeOf(service.update(bob, id, { title: 'mine' }))).toBe(ErrorCode.NotFound);
    expect(await codeOf(service.remove(bob, id))).toBe(ErrorCode.NotFound);
    expect((await service.get(admin, id)).title).toBe('private');
  });

  it('updates the given fields only and moves updatedAt', async () => {
    const { id } = await service.create(alice, { title: 'v1', body: 'body' });
    clock.advance(60_000);
    const updated = await service.update(alice, id, { title: 'v2' });
    expect(updated).toMatchObject({
      title: 'v2',
      body: 'body',
      updatedAt: '2026-01-01T00:01:00.000Z',
    });
    expect(updated.createdAt).toBe('2026-01-01T00:00:00.000Z');
    expect((await service.update(admin, id, { body: 'by admin' })).body).toBe('by admin');
  });

  it('deletes once: the second delete is not found', async () => {
    const { id } = await service.create(alice, { title: 't', body: '' });
    const results = await Promise.all([
      codeOf(service.remove(alice, id)),
      codeOf(service.remove(alice, id)),
    ]);
    expect(results.sort()).toEqual([ErrorCode.NotFound, 'ok'].sort());
    expect(await codeOf(service.get(alice, id))).toBe(ErrorCode.NotFound);
  });

  it.each(['nope', '1', "' OR 1=1 --", '00000000-0000-0000-0000-00000000000g'])(
    'answers 404 for the malformed id %p',
    async (id) => {
      expect(await codeOf(service.get(admin, id))).toBe(ErrorCode.NotFound);
      expect(await codeOf(service.update(admin, id, {}))).toBe(ErrorCode.NotFound);
      expect(await codeOf(service.remove(admin, id))).toBe(ErrorCode.NotFound);
    },
  );

  it('counts documents and distinct owners', async () => {
    expect(await service.stats()).toEqual({ documents: 0, owners: 0 });
    await service.create(alice, { title: 'a1', body: '' });
    await service.create(alice, { title: 'a2', body: '' });
    await service.create(bob, { title: 'b1', body: '' });
    expect(await service.stats()).toEqual({ documents: 3, owners: 2 });
  });
});
