import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBody, ApiNoContentResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '@streammetrics/auth';
import { AlertRulesService } from './alert-rules.service';
import { ALERT_RULE_SPEC_SCHEMA } from './openapi.schemas';

const BAD_RULE = '400 VALIDATION_FAILED lists every problem (field as a JSON pointer, message)';

@ApiTags('alerting')
@Controller('api/v1/alert-rules')
export class AlertRulesController {
  constructor(private readonly rules: AlertRulesService) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'Every alert rule, from the API and from the rules file' })
  list() {
    return this.rules.list();
  }

  @Post()
  @RequireScope('admin')
  @ApiOperation({ summary: 'Add a rule', description: BAD_RULE })
  @ApiBody({ schema: ALERT_RULE_SPEC_SCHEMA })
  create(@Body() body: unknown) {
    return this.rules.create(body);
  }

  @Get(':id')
  @RequireScope('read')
  @ApiOperation({ summary: 'One rule' })
  @ApiNotFoundResponse({ description: 'no such rule' })
  get(@Param('id') id: string) {
    return this.rules.get(id);
  }

  @Put(':id')
  @RequireScope('admin')
  @ApiOperation({
    summary: 'Replace a rule',
    description: `A rule from the rules file may be replaced: it becomes source "api". ${BAD_RULE}`,
  })
  @ApiBody({ schema: ALERT_RULE_SPEC_SCHEMA })
  @ApiNotFoundResponse({ description: 'no such rule' })
  update(@Param('id') id: string, @Body() body: unknown) {
    return this.rules.update(id, body);
  }

  @Delete(':id')
  @RequireScope('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a rule and its alert states (their history stays)' })
  @ApiNoContentResponse({ description: 'removed' })
  @ApiNotFoundResponse({ description: 'no such rule' })
  delete(@Param('id') id: string) {
    return this.rules.delete(id);
  }
}
