import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Clock } from '@keycard/common';
import { scopeList } from '../oauth/scope';
import { OidcConsentEntity } from './oidc-records.entity';

export interface Consent {
  clientId: string;
  scopes: string[];
  createdAt: number;
  updatedAt: number;
}

/** What each user allowed each app; a request is covered when every scope it asks for was allowed. */
@Injectable()
export class ConsentsService {
  constructor(
    @InjectRepository(OidcConsentEntity) private readonly consents: Repository<OidcConsentEntity>,
    private readonly clock: Clock,
  ) {}

  async covers(userId: string, clientId: string, scopes: readonly string[]): Promise<boolean> {
    const row = await this.consents.findOneBy({ userId, clientId });
    if (row === null) return false;
    const granted = scopeList(row.scope);
    return scopes.every((scope) => granted.includes(scope));
  }

  /** Adds `scopes` to what the user allowed the app (a consent only ever widens until removed). */
  async grant(userId: string, clientId: string, scopes: readonly string[]): Promise<void> {
    const now = this.clock.now();
    const row = await this.consents.findOneBy({ userId, clientId });
    if (row === null) {
      await this.consents
        .createQueryBuilder()
        .insert()
        .values({ userId, clientId, scope: scopes.join(' '), createdAt: now, updatedAt: now })
        .orIgnore()
        .execute();
      return;
    }
    const merged = [...new Set([...scopeList(row.scope), ...scopes])].join(' ');
    await this.consents.update({ userId, clientId }, { scope: merged, updatedAt: now });
  }

  async list(userId: string): Promise<Consent[]> {
    const rows = await this.consents.find({ where: { userId }, order: { createdAt: 'ASC' } });
    return rows.map((row) => ({
      clientId: row.clientId,
      scopes: scopeList(row.scope),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    }));
  }

  /** Forgets the consent; true when there was one. */
  async revoke(userId: string, clientId: string): Promise<boolean> {
    const result = await this.consents.delete({ userId, clientId });
    return (result.affected ?? 0) > 0;
  }
}
