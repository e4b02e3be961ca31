import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import {
  Clock,
  ErrorCode,
  KeycardError,
  randomToken,
  sha256Hex,
  sha256HexEqual,
} from '@keycard/common';
import { authConfig, AuthSettings } from '../config/auth.config';
import { RevocationEvents } from '../revocation/revocation-events.service';
import { isUniqueViolation } from '../database/unique-violation';
import { BootstrapClient, parseBootstrapClients } from './bootstrap-clients';
import {
  CLIENT_ID_PATTERN,
  CLIENT_NAME_MAX_LENGTH,
  isValidScope,
  MAX_SCOPES,
  newClientId,
  newClientSecret,
  uniqueScopes,
} from './client-format';
import { AppRegistration, checkRegistration, hasSecret } from './client-registration';
import { ClientView, RegisteredClient, toClientView, toRegisteredClient } from './client-views';
import { OAuthClientEntity } from './oauth-client.entity';

export type { ClientView, RegisteredClient } from './client-views';
export { toClientView } from './client-views';

export interface NewClient extends Partial<AppRegistration> {
  name: string;
  scopes: string[];
  /** Chosen id (bootstrap, tests); generated (`svc_…`) when absent. */
  clientId?: string;
  /** Chosen secret; generated (`cs_…`, 256 bits) when absent. Never for a public client. */
  clientSecret?: string;
}

/** A change to a registration (`PATCH /admin/clients/:id`); the type cannot change. */
export type ClientChanges = Partial<Omit<NewClient, 'clientId' | 'clientSecret'>>;

/** The one answer that carries the secret: show it once, it cannot be read back. */
export interface CreatedClient {
  clientId: string;
  clientSecret: string;
  name: string;
  scopes: string[];
}

/** Client rows this instance remembers at most (`ClientsService` cache). */
const CLIENT_CACHE_MAX_ENTRIES = 10_000;

interface CachedClient {
  client: OAuthClientEntity;
  /** Epoch ms; never served at or after it. */
  expiresAt: number;
}

/** Longest secret worth hashing; anything longer cannot be one of ours. */
const SECRET_MAX_LENGTH = 512;
/** Compared against when the client id is unknown, so both cases cost the same work. */
const UNKNOWN_CLIENT_HASH = sha256Hex(randomToken(32));

function invalidInput(message: string): KeycardError {
  return new KeycardError(ErrorCode.ValidationFailed, { message });
}

/** The fields of a new or changed client, checked: name, scopes and the app registration. */
function checkClientFields(input: NewClient): {
  name: string;
  scopes: string[];
  registration: AppRegistration;
} {
  const name = input.name.trim();
  if (name === '' || name.length > CLIENT_NAME_MAX_LENGTH) {
    throw invalidInput(`name must be 1 to ${CLIENT_NAME_MAX_LENGTH} characters`);
  }
  const scopes = uniqueScopes(input.scopes);
  if (scopes.length > MAX_SCOPES || !scopes.every(isValidScope)) {
    throw invalidInput(
      `scopes must be at most ${MAX_SCOPES} scope tokens without spaces, quotes or backslashes`,
    );
  }
  const registration = checkRegistration({
    type: input.type ?? 'service',
    redirectUris: input.redirectUris ?? [],
    postLogoutRedirectUris: input.postLogoutRedirectUris ?? [],
    firstParty: input.firstParty ?? false,
    backchannelLogoutUri: input.backchannelLogoutUri ?? null,
  });
  return { name, scopes, registration };
}

/** The keys of a PATCH that were really sent (`undefined` means "leave as it is"). */
function definedOnly<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(changes).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/**
 * Registered clients (services and apps): registration, secret checks, `BOOTSTRAP_CLIENTS`,
 * listing and revocation.
 *
 * Rows read to check a secret are reused for `CLIENT_CACHE_TTL` (default 5 s; 0 = always read): a
 * client-credentials grant then costs a SHA-256 and a signature, not a database query. A change
 * this instance makes (revocation, a new bootstrap secret) drops its entry at once; other instances
 * see it within the TTL. Unknown ids are never cached, so a new client works everywhere at once.
 */
@Injectable()
export class ClientsService implements OnModuleInit {
  private readonly logger = new Logger(ClientsService.name);
  private readonly cache = new Map<string, CachedClient>();
  private readonly cacheTtlMs: number;

  constructor(
    @InjectRepository(OAuthClientEntity) private readonly clients: Repository<OAuthClientEntity>,
    @Inject(authConfig.KEY)
    private readonly config: Pick<AuthSettings, 'bootstrapClients' | 'clientCacheTtl'>,
    private readonly clock: Clock,
    private readonly revocations: RevocationEvents,
  ) {
    this.cacheTtlMs = config.clientCacheTtl * 1000;
    // Another instance's revocation reaches this cache through the revocation log, within a second.
    revocations.subscribe((event) => {
      if (event.kind === 'client') this.cache.delete(event.subject);
    });
  }

  onModuleInit(): Promise<void> {
    return this.ensureBootstrapClients(this.config.bootstrapClients);
  }

  /** Registers a service client (console, command line); see `register`. */
  async create(input: NewClient): Promise<CreatedClient> {
    const { client, secret } = await this.insert({ ...input, type: 'service' });
    return {
      clientId: client.clientId,
      clientSecret: secret ?? '',
      name: client.name,
      scopes: client.scopes,
    };
  }

  /**
   * Registers a client of any type; 409 when a chosen id is taken. The secret (`web`, `service`)
   * is returned here and never again; `spa` and `native` clients get none.
   */
  async register(input: NewClient): Promise<RegisteredClient> {
    const { client, secret } = await this.insert(input);
    return toRegisteredClient(client, secret);
  }

  /** Changes an active client's registration (`PATCH /admin/clients/:id`); the type is fixed. */
  async update(clientId: string, changes: ClientChanges): Promise<RegisteredClient> {
    const existing = await this.findActive(clientId);
    if (existing === null)
      throw new KeycardError(ErrorCode.NotFound, { message: 'Client not found' });
    if (changes.type !== undefined && changes.type !== existing.type) {
      throw invalidInput('type cannot change; register a new client instead');
    }
    const merged = { ...toRegisteredClient(existing), ...definedOnly(changes) };
    const checked = checkClientFields(merged);
    const fields = { name: checked.name, scopes: checked.scopes, ...checked.registration };
    await this.clients.update({ clientId }, fields);
    this.cache.delete(clientId);
    this.logger.log(`Updated the registration of client ${clientId}`);
    return toRegisteredClient({ ...existing, ...fields });
  }

  private async insert(
    input: NewClient,
  ): Promise<{ client: OAuthClientEntity; secret: string | undefined }> {
    const checked = checkClientFields(input);
    const clientId = input.clientId ?? newClientId();
    if (!CLIENT_ID_PATTERN.test(clientId))
      throw invalidInput('clientId must be 1-128 of A-Z a-z 0-9 . _ ~ -');
    const secret = hasSecret(checked.registration.type)
      ? (input.clientSecret ?? newClientSecret())
      : undefined;
    const client = {
      ...this.row(clientId, checked.name, secret ?? randomToken(32), checked.scopes),
      ...checked.registration,
    };
    try {
      // A copy: on PostgreSQL, insert() writes the raw RETURNING values (JSON text) back into it.
      await this.clients.insert({ ...client });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new KeycardError(ErrorCode.Conflict, {
          message: 'A client with this id already exists',
        });
      }
      throw error;
    }
    this.logger.log(`Registered ${client.type} client ${clientId}`);
    return { client, secret };
  }

  /**
   * The active client with this id and secret, or null. An unknown id costs the same lookup,
   * hash and constant-time comparison as a wrong secret, and no answer says which it was.
   */
  async authenticate(clientId: string, secret: string): Promise<OAuthClientEntity | null> {
    if (!CLIENT_ID_PATTERN.test(clientId) || secret.length > SECRET_MAX_LENGTH) return null;
    const client = await this.find(clientId);
    const matches = sha256HexEqual(sha256Hex(secret), client?.secretHash ?? UNKNOWN_CLIENT_HASH);
    const usable = client !== null && client.revokedAt === null && hasSecret(client.type);
    return usable && matches ? client : null;
  }

  /** The client when it exists and is not revoked (introspection re-checks client tokens with it). */
  async findActive(clientId: string): Promise<OAuthClientEntity | null> {
    if (!CLIENT_ID_PATTERN.test(clientId)) return null;
    const client = await this.find(clientId);
    return client !== null && client.revokedAt === null ? client : null;
  }

  /** The row, from the cache while it is fresh (see the class comment). */
  private find(clientId: string): Promise<OAuthClientEntity | null> | OAuthClientEntity {
    return this.cached(clientId) ?? this.load(clientId);
  }

  /** A live cached row; undefined when there is none (or it expired). */
  private cached(clientId: string): OAuthClientEntity | undefined {
    const entry = this.cache.get(clientId);
    if (entry === undefined) return undefined;
    if (this.clock.now() < entry.expiresAt) return entry.client;
    this.cache.delete(clientId);
    return undefined;
  }

  /** Reads the row and remembers it when it exists (see the class comment). */
  private async load(clientId: string): Promise<OAuthClientEntity | null> {
    const client = await this.clients.findOneBy({ clientId });
    if (client !== null && this.cacheTtlMs > 0) {
      if (this.cache.size >= CLIENT_CACHE_MAX_ENTRIES) this.cache.clear();
      this.cache.set(clientId, { client, expiresAt: this.clock.now() + this.cacheTtlMs });
    }
    return client;
  }

  async list(): Promise<ClientView[]> {
    const rows = await this.clients.find({ order: { createdAt: 'ASC', clientId: 'ASC' } });
    return rows.map(toClientView);
  }

  /**
   * A new generated secret for an active client; the old one stops working at once (on this
   * instance; on others within `CLIENT_CACHE_TTL`). 404 for an unknown id, 409 for a revoked
   * client. A `BOOTSTRAP_CLIENTS` client gets the variable's secret back at the next start.
   */
  async rotateSecret(clientId: string): Promise<CreatedClient> {
    const client = CLIENT_ID_PATTERN.test(clientId)
      ? await this.clients.findOneBy({ clientId })
      : null;
    if (client === null)
      throw new KeycardError(ErrorCode.NotFound, { message: 'Client not found' });
    if (!hasSecret(client.type)) throw invalidInput('A public client has no secret to rotate');
    const clientSecret = newClientSecret();
    const result = await this.clients
      .createQueryBuilder()
      .update()
      .set({ secretHash: sha256Hex(clientSecret) })
      .where('client_id = :clientId AND revoked_at IS NULL', { clientId })
      .execute();
    this.cache.delete(clientId);
    if (!result.affected) {
      throw new KeycardError(ErrorCode.Conflict, { message: 'The client is revoked' });
    }
    this.logger.log(`Rotated the secret of client ${clientId}`);
    return { clientId, clientSecret, name: client.name, scopes: client.scopes };
  }

  /** Revokes a client at once (its secret stops working); 404 for an unknown id, idempotent otherwise. */
  async revoke(clientId: string): Promise<void> {
    const known =
      CLIENT_ID_PATTERN.test(clientId) && (await this.clients.countBy({ clientId })) > 0;
    if (!known) throw new KeycardError(ErrorCode.NotFound, { message: 'Client not found' });
    const update = this.clients
      .createQueryBuilder()
      .update()
      .set({ revokedAt: this.clock.now() })
      .where('client_id = :clientId AND revoked_at IS NULL', { clientId });
    // With its revocation event (every token issued to it is refused), in one transaction.
    const revoked = await this.revocations.write(
      [{ kind: 'client', subject: clientId }],
      [{ query: update.getQueryAndParameters(), requireOneRow: true }],
    );
    this.cache.delete(clientId);
    if (revoked) this.logger.log(`Revoked client ${clientId}`);
  }

  /**
   * Makes the database match `BOOTSTRAP_CLIENTS` (the source of truth for the clients it lists):
   * missing clients are created, a changed secret or scope list is updated. Idempotent, and safe
   * when several instances start at once: a lost insert race falls back to the update path.
   * A listed client an admin revoked stays revoked until its secret is changed in the variable.
   */
  async ensureBootstrapClients(raw: string): Promise<void> {
    for (const entry of parseBootstrapClients(raw)) await this.ensureBootstrapClient(entry);
  }

  private async ensureBootstrapClient(entry: BootstrapClient): Promise<void> {
    const { clientId, clientSecret, scopes } = entry;
    let existing = await this.clients.findOneBy({ clientId });
    if (existing === null) {
      try {
        await this.clients.insert(this.row(clientId, clientId, clientSecret, scopes));
        this.logger.log(`Registered bootstrap client ${clientId}`);
        return;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        existing = await this.clients.findOneByOrFail({ clientId });
      }
    }
    const secretHash = sha256Hex(clientSecret);
    const sameSecret = sha256HexEqual(existing.secretHash, secretHash);
    const sameScopes = JSON.stringify(existing.scopes) === JSON.stringify(scopes);
    if (existing.revokedAt !== null && sameSecret) {
      this.logger.warn(
        `Bootstrap client ${clientId} is revoked; set a new secret in BOOTSTRAP_CLIENTS to reinstate it`,
      );
      return;
    }
    if (sameSecret && sameScopes && existing.revokedAt === null) return;
    await this.clients.update({ clientId }, { secretHash, scopes, revokedAt: null });
    this.cache.delete(clientId);
    this.logger.log(`Updated bootstrap client ${clientId} from BOOTSTRAP_CLIENTS`);
  }

  private row(clientId: string, name: string, secret: string, scopes: string[]): OAuthClientEntity {
    return this.clients.create({
      clientId,
      name,
      secretHash: sha256Hex(secret),
      scopes,
      type: 'service',
      redirectUris: [],
      postLogoutRedirectUris: [],
      firstParty: false,
      backchannelLogoutUri: null,
      createdAt: this.clock.now(),
      revokedAt: null,
    });
  }
}
