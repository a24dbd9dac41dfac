import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { CLOCK, systemClock, type Clock } from '@streammetrics/contracts';
import { AlertRulesRepository } from '../alert-rules.repository';
import { SilencesRepository } from '../silences.repository';
import { AlertRulesController } from './alert-rules.controller';
import { AlertRulesService } from './alert-rules.service';
import { ALERTING_PG_POOL, type AlertingApiOptions } from './alerting-api.options';
import { AlertsController } from './alerts.controller';
import { AlertsRepository } from './alerts.repository';
import { AlertsService } from './alerts.service';
import { SilencesController } from './silences.controller';
import { SilencesService } from './silences.service';

/**
 * The alerting REST routes (rules, alerts, history, silences) for the query-api: one public API
 * with the same keys. Needs AuthModule; errors use the query API's filter and body.
 */
@Module({})
export class AlertingApiModule implements OnApplicationShutdown {
  constructor(@Inject(ALERTING_PG_POOL) private readonly pool: Pool) {}

  static forRoot(opts: AlertingApiOptions): DynamicModule {
    return {
      module: AlertingApiModule,
      controllers: [AlertRulesController, AlertsController, SilencesController],
      providers: [
        { provide: CLOCK, useValue: opts.clock ?? systemClock },
        {
          provide: ALERTING_PG_POOL,
          useFactory: () => {
            const pool = new Pool({
              connectionString: opts.databaseUrl,
              max: 4,
              application_name: 'query-api-alerting',
            });
            const log = new Logger('AlertingApiModule');
            // An idle client losing its connection must not crash the process; the next query reconnects.
            pool.on('error', (err) => log.warn(`postgres: ${err.message}`));
            return pool;
          },
        },
        {
          provide: AlertRulesRepository,
          useFactory: (p: Pool) => new AlertRulesRepository(p),
          inject: [ALERTING_PG_POOL],
        },
        {
          provide: AlertsRepository,
          useFactory: (p: Pool) => new AlertsRepository(p),
          inject: [ALERTING_PG_POOL],
        },
        {
          provide: SilencesRepository,
          useFactory: (p: Pool, clock: Clock) => new SilencesRepository(p, () => clock.now()),
          inject: [ALERTING_PG_POOL, CLOCK],
        },
        AlertRulesService,
        AlertsService,
        SilencesService,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
