import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '@keycard/auth';
import type { DocumentStats } from '../documents/document.dto';
import { ApiDocumentStats } from '../documents/documents.responses';
import { ADMIN_ROLE, DocumentsService } from '../documents/documents.service';

@ApiTags('Admin')
@Controller('admin')
@Roles(ADMIN_ROLE)
export class AdminController {
  constructor(private readonly documents: DocumentsService) {}

  @Get('stats')
  @ApiDocumentStats()
  stats(): Promise<DocumentStats> {
    return this.documents.stats();
  }
}
