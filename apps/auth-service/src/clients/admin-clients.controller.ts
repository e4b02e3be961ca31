import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '@keycard/auth';
import { AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { CreateClientDto, UpdateClientDto } from './clients.dto';
import {
  ApiCreateClient,
  ApiListClients,
  ApiRevokeClient,
  ApiRotateClientSecret,
  ApiUpdateClient,
} from './clients.responses';
import { ClientsService, ClientView, CreatedClient, RegisteredClient } from './clients.service';

/** Client (service and app) administration; role `admin` only. The secret appears in the create answer only. */
@ApiTags('Admin: clients')
@Controller('admin/clients')
@Roles('admin')
export class AdminClientsController {
  constructor(
    private readonly clients: ClientsService,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @ApiCreateClient()
  async create(@Body() dto: CreateClientDto): Promise<RegisteredClient> {
    const created = await this.clients.register(dto);
    void this.audit.record({
      type: AuditEventType.ClientCreated,
      outcome: 'success',
      subjectId: created.clientId,
      details: { name: created.name, type: created.type, scopes: created.scopes },
    });
    return created;
  }

  /** Changes the fields sent (redirect URIs, scopes, …); the secret and type stay. */
  @Patch(':id')
  @ApiUpdateClient()
  async update(@Param('id') id: string, @Body() dto: UpdateClientDto): Promise<RegisteredClient> {
    const updated = await this.clients.update(id, dto);
    void this.audit.record({
      type: AuditEventType.ClientUpdated,
      outcome: 'success',
      subjectId: updated.clientId,
      details: { fields: Object.keys(dto) },
    });
    return updated;
  }

  @Get()
  @ApiListClients()
  list(): Promise<ClientView[]> {
    return this.clients.list();
  }

  /** A new secret, shown in this answer only; the old one stops working. */
  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiRotateClientSecret()
  async rotateSecret(@Param('id') id: string): Promise<CreatedClient> {
    const rotated = await this.clients.rotateSecret(id);
    void this.audit.record({
      type: AuditEventType.ClientSecretRotated,
      outcome: 'success',
      subjectId: rotated.clientId,
    });
    return rotated;
  }

  @Delete(':id')
  @ApiRevokeClient()
  @HttpCode(204)
  async revoke(@Param('id') id: string): Promise<void> {
    await this.clients.revoke(id);
    void this.audit.record({
      type: AuditEventType.ClientRevoked,
      outcome: 'success',
      subjectId: id,
    });
  }
}
