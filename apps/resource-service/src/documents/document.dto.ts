import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import type { DocumentEntity } from './document.entity';

export const TITLE_MAX_LENGTH = 200;
export const BODY_MAX_LENGTH = 20_000;

export class CreateDocumentDto {
  @ApiProperty({ minLength: 1, maxLength: TITLE_MAX_LENGTH })
  @IsString()
  @Length(1, TITLE_MAX_LENGTH)
  title!: string;

  @ApiProperty({ maxLength: BODY_MAX_LENGTH })
  @IsString()
  @MaxLength(BODY_MAX_LENGTH)
  body!: string;
}

export class UpdateDocumentDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: TITLE_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @Length(1, TITLE_MAX_LENGTH)
  title?: string;

  @ApiPropertyOptional({ maxLength: BODY_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(BODY_MAX_LENGTH)
  body?: string;
}

/** A document as the API returns it (times as ISO strings). */
export interface DocumentView {
  id: string;
  title: string;
  body: string;
  ownerId: string;
  createdAt: string;
  updatedAt: string;
}

export function toDocumentView(document: DocumentEntity): DocumentView {
  return {
    id: document.id,
    title: document.title,
    body: document.body,
    ownerId: document.ownerId,
    createdAt: new Date(document.createdAt).toISOString(),
    updatedAt: new Date(document.updatedAt).toISOString(),
  };
}

export interface DocumentStats {
  documents: number;
  owners: number;
}
