import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Scopes } from '@keycard/auth';
import { CreateDocumentDto, DocumentView, UpdateDocumentDto } from './document.dto';
import {
  ApiCreateDocument,
  ApiDeleteDocument,
  ApiGetDocument,
  ApiListDocuments,
  ApiUpdateDocument,
} from './documents.responses';
import { DocumentsService } from './documents.service';

export const DOCUMENTS_READ = 'documents:read';
export const DOCUMENTS_WRITE = 'documents:write';

@ApiTags('Documents')
@Controller('documents')
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Post()
  @ApiCreateDocument()
  @Scopes(DOCUMENTS_WRITE)
  create(
    @CurrentPrincipal() caller: Principal,
    @Body() input: CreateDocumentDto,
  ): Promise<DocumentView> {
    return this.documents.create(caller, input);
  }

  @Get()
  @ApiListDocuments()
  @Scopes(DOCUMENTS_READ)
  list(@CurrentPrincipal() caller: Principal): Promise<DocumentView[]> {
    return this.documents.list(caller);
  }

  @Get(':id')
  @ApiGetDocument()
  @Scopes(DOCUMENTS_READ)
  get(@CurrentPrincipal() caller: Principal, @Param('id') id: string): Promise<DocumentView> {
    return this.documents.get(caller, id);
  }

  @Patch(':id')
  @ApiUpdateDocument()
  @Scopes(DOCUMENTS_WRITE)
  update(
    @CurrentPrincipal() caller: Principal,
    @Param('id') id: string,
    @Body() changes: UpdateDocumentDto,
  ): Promise<DocumentView> {
    return this.documents.update(caller, id, changes);
  }

  @Delete(':id')
  @ApiDeleteDocument()
  @HttpCode(204)
  @Scopes(DOCUMENTS_WRITE)
  remove(@CurrentPrincipal() caller: Principal, @Param('id') id: string): Promise<void> {
    return this.documents.remove(caller, id);
  }
}
