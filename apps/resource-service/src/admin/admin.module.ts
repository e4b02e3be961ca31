import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module';
import { AdminController } from './admin.controller';

@Module({ imports: [DocumentsModule], controllers: [AdminController] })
export class AdminModule {}
