import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HealthService } from './health.service';

@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get(['ready', ''])
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    const r = await this.health.readiness();
    void reply.status(r.ready ? 200 : 503);
    return { status: r.ready ? 'ok' : 'unavailable', checks: r.checks };
  }
}
