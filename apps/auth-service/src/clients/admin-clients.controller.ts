import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Roles } from '@keycard/auth';
import { CreateClientDto } from './clients.dto';
import { ClientsService, ClientView, CreatedClient } from './clients.service';

/** Service-client administration; role `admin` only. The secret appears in the create answer only. */
@Controller('admin/clients')
@Roles('admin')
export class AdminClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Post()
  create(@Body() dto: CreateClientDto): Promise<CreatedClient> {
    return this.clients.create({ name: dto.name, scopes: dto.scopes });
  }

  @Get()
  list(): Promise<ClientView[]> {
    return this.clients.list();
  }

  @Delete(':id')
  @HttpCode(204)
  revoke(@Param('id') id: string): Promise<void> {
    return this.clients.revoke(id);
  }
}
