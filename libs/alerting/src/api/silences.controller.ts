import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiNoContentResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyIdentity, RequireScope } from '@streammetrics/auth';
import { SILENCE_SPEC_SCHEMA } from './openapi.schemas';
import { SilencesService } from './silences.service';

@ApiTags('alerting')
@Controller('api/v1/silences')
export class SilencesController {
  constructor(private readonly silences: SilencesService) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'Every silence: active, pending (starts later) and expired' })
  list() {
    return this.silences.list();
  }

  @Post()
  @RequireScope('admin')
  @ApiOperation({
    summary: 'Silence the alerts whose labels match every matcher, over a time range',
    description: '400 VALIDATION_FAILED lists every problem: no matcher, a bad regex, an empty or past range',
  })
  @ApiBody({ schema: SILENCE_SPEC_SCHEMA })
  create(@Body() body: unknown, @ApiKeyIdentity() key: ApiKeyIdentity) {
    return this.silences.create(body, key.name || key.clientId);
  }

  @Delete(':id')
  @RequireScope('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Expire a silence now (it stays listed as expired)' })
  @ApiNoContentResponse({ description: 'expired' })
  @ApiNotFoundResponse({ description: 'no such silence, or it has ended already' })
  expire(@Param('id') id: string) {
    return this.silences.expire(id);
  }
}
