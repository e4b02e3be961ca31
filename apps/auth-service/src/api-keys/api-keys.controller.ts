import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '@keycard/auth';
import { ErrorCode, KeycardError } from '@keycard/common';
import { StepUpIfEnrolled } from '../mfa/step-up-if-enrolled.guard';
import { ApiKeyUsageService } from './api-key-usage.service';
import { ApiKeyUsageView, ApiKeyView, CreatedApiKey } from './api-key-views';
import { ApiKeyUsageReportsDto, CreateApiKeyDto, RotateApiKeyDto } from './api-keys.dto';
import {
  ApiApiKeyUsage,
  ApiCreateApiKey,
  ApiListApiKeys,
  ApiReportApiKeyUsage,
  ApiRevokeApiKey,
  ApiRotateApiKey,
} from './api-keys.responses';
import { ApiKeysService } from './api-keys.service';
import { ServiceClientRoute, serviceClientIdOf, USAGE_REPORT_SCOPE } from './service-client.guard';

/** API keys may not mint or manage API keys, nor may service clients: only a signed-in user. */
function ownerOf(principal: Principal): string {
  if (principal.scopeRestricted) {
    throw new KeycardError(ErrorCode.Forbidden, {
      message: 'Only a signed-in user can manage API keys',
      reason: 'scope-restricted principal',
    });
  }
  return principal.sub;
}

/** The signed-in user's API keys (bearer or session, through the global guard). */
@ApiTags('API keys')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @StepUpIfEnrolled()
  @ApiCreateApiKey()
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateApiKeyDto,
  ): Promise<CreatedApiKey> {
    const { expiresAt, ...rest } = dto;
    return this.apiKeys.create(ownerOf(principal), {
      ...rest,
      expiresAt: expiresAt === undefined ? undefined : Date.parse(expiresAt),
    });
  }

  @Get()
  @ApiListApiKeys()
  list(@CurrentPrincipal() principal: Principal): Promise<ApiKeyView[]> {
    return this.apiKeys.list(ownerOf(principal));
  }

  @Post(':id/rotate')
  @ApiRotateApiKey()
  rotate(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() dto: RotateApiKeyDto,
  ): Promise<CreatedApiKey> {
    return this.apiKeys.rotate(ownerOf(principal), id, dto.graceSeconds);
  }

  @Delete(':id')
  @ApiRevokeApiKey()
  @HttpCode(204)
  revoke(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    return this.apiKeys.revoke(ownerOf(principal), id);
  }

  @Get(':id/usage')
  @ApiApiKeyUsage()
  usage(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<ApiKeyUsageView> {
    return this.apiKeys.usage(ownerOf(principal), id);
  }
}

/**
 * Batched usage from the resource services, so that using a key costs no database write here.
 * Only clients with the `usage:report` scope may report.
 */
@ApiTags('API keys')
@Controller('api-keys')
export class ApiKeyUsageReportsController {
  constructor(private readonly usage: ApiKeyUsageService) {}

  @ServiceClientRoute(USAGE_REPORT_SCOPE)
  @Post('usage-reports')
  @ApiReportApiKeyUsage()
  @HttpCode(204)
  report(
    @Body() dto: ApiKeyUsageReportsDto,
    @Req() request: { serviceClientId?: string },
  ): Promise<void> {
    return this.usage.record(dto.reports, serviceClientIdOf(request));
  }
}
