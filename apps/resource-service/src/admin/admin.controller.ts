import { Controller, Get } from '@nestjs/common';
import { Roles } from '@keycard/auth';
import type { DocumentStats } from '../documents/document.dto';
import { ADMIN_ROLE, DocumentsService } from '../documents/documents.service';

@Controller('admin')
@Roles(ADMIN_ROLE)
export class AdminController {
  constructor(private readonly documents: DocumentsService) {}

  @Get('stats')
  stats(): Promise<DocumentStats> {
    return this.documents.stats();
  }
}
