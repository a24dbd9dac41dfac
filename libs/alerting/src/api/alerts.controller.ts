import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '@streammetrics/auth';
import {
  alertsQuerySchema,
  historyQuerySchema,
  MAX_HISTORY_LIMIT,
  type AlertsQuery,
  type HistoryQuery,
} from './alerting-api.dto';
import { AlertsService } from './alerts.service';
import { QueryPipe } from './query.pipe';

@ApiTags('alerting')
@RequireScope('read')
@Controller('api/v1/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @ApiOperation({
    summary: 'Pending and firing alerts, firing first; `silenced` says whether a silence covers one now',
  })
  @ApiQuery({ name: 'status', required: false, enum: ['firing', 'pending'] })
  @ApiQuery({ name: 'service', required: false, description: 'the alert\'s "service" label' })
  @ApiQuery({ name: 'ruleId', required: false })
  active(@Query(new QueryPipe(alertsQuerySchema)) q: AlertsQuery) {
    return this.alerts.active(q);
  }

  @Get('history')
  @ApiOperation({ summary: 'Alert transitions, newest first' })
  @ApiQuery({ name: 'ruleId', required: false })
  @ApiQuery({ name: 'fingerprint', required: false })
  @ApiQuery({ name: 'service', required: false })
  @ApiQuery({ name: 'limit', required: false, description: `default 100, at most ${MAX_HISTORY_LIMIT}` })
  @ApiQuery({ name: 'before', required: false, description: 'an entry id: only older entries (paging)' })
  history(@Query(new QueryPipe(historyQuerySchema)) q: HistoryQuery) {
    return this.alerts.history(q);
  }
}
