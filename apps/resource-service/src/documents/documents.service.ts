import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Clock, ErrorCode, KeycardError } from '@keycard/common';
import type { Principal } from '@keycard/auth';
import { randomUUID } from 'node:crypto';
import { FindOptionsWhere, Repository } from 'typeorm';
import { DocumentEntity } from './document.entity';
import {
  CreateDocumentDto,
  DocumentStats,
  DocumentView,
  toDocumentView,
  UpdateDocumentDto,
} from './document.dto';

export const ADMIN_ROLE = 'admin';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function notFound(): KeycardError {
  return new KeycardError(ErrorCode.NotFound, { message: 'Document not found' });
}

/**
 * The document rules: a caller sees and changes only its own documents, an admin all of them.
 * Someone else's document answers 404 (not 403), so ids of others cannot be probed. Each change is
 * one conditional statement (`WHERE id = … AND owner_id = …`), so there is no read-then-write race.
 */
@Injectable()
export class DocumentsService {
  constructor(
    @InjectRepository(DocumentEntity) private readonly documents: Repository<DocumentEntity>,
    private readonly clock: Clock,
  ) {}

  async create(caller: Principal, input: CreateDocumentDto): Promise<DocumentView> {
    const now = this.clock.now();
    const document = this.documents.create({
      id: randomUUID(),
      ownerId: caller.sub,
      title: input.title,
      body: input.body,
      createdAt: now,
      updatedAt: now,
    });
    await this.documents.insert(document);
    return toDocumentView(document);
  }

  async list(caller: Principal): Promise<DocumentView[]> {
    const documents = await this.documents.find({
      where: isAdmin(caller) ? {} : { ownerId: caller.sub },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    return documents.map(toDocumentView);
  }

  async get(caller: Principal, id: string): Promise<DocumentView> {
    return toDocumentView(await this.findVisible(caller, id));
  }

  async update(caller: Principal, id: string, changes: UpdateDocumentDto): Promise<DocumentView> {
    const scope = visibleTo(caller, id);
    const result = await this.documents.update(scope, {
      ...(changes.title !== undefined && { title: changes.title }),
      ...(changes.body !== undefined && { body: changes.body }),
      updatedAt: this.clock.now(),
    });
    if (!result.affected) throw notFound();
    return this.get(caller, id);
  }

  async remove(caller: Principal, id: string): Promise<void> {
    const result = await this.documents.delete(visibleTo(caller, id));
    if (!result.affected) throw notFound();
  }

  async stats(): Promise<DocumentStats> {
    const row = await this.documents
      .createQueryBuilder('document')
      .select('COUNT(*)', 'documents')
      .addSelect('COUNT(DISTINCT document.ownerId)', 'owners')
      .getRawOne<{ documents: string | number; owners: string | number }>();
    return { documents: Number(row?.documents ?? 0), owners: Number(row?.owners ?? 0) };
  }

  private async findVisible(caller: Principal, id: string): Promise<DocumentEntity> {
    const document = await this.documents.findOneBy(visibleTo(caller, id));
    if (document === null) throw notFound();
    return document;
  }
}

function isAdmin(caller: Principal): boolean {
  return caller.roles.includes(ADMIN_ROLE);
}

/** The row `id` if the caller may see it; a malformed id matches nothing (404, never a driver error). */
function visibleTo(caller: Principal, id: string): FindOptionsWhere<DocumentEntity> {
  if (!UUID.test(id)) throw notFound();
  return isAdmin(caller) ? { id } : { id, ownerId: caller.sub };
}
