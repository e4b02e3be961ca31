import { Controller, Get } from '@nestjs/common';
import { Public } from '@keycard/auth';

@Controller('health')
export class HealthController {
  @Public()
  @Get()
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
