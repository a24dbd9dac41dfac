import { Module, type DynamicModule } from '@nestjs/common';
import { AlertingApiModule } from '@streammetrics/alerting/api';
import { AuthModule } from '@streammetrics/auth';
import { ObservabilityModule } from '@streammetrics/observability';
import { QueryModule } from '@streammetrics/query';
import { authOptions, queryOptions, type QueryApiConfig } from './query-api.config';

@Module({})
export class AppModule {
  /** `dashboardDist`: the built dashboard to serve at `/`, when there is one. */
  static forConfig(config: QueryApiConfig, dashboardDist?: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ app: 'query-api', logLevel: config.LOG_LEVEL }),
        AuthModule.forRoot(authOptions(config)),
        QueryModule.forRoot({ ...queryOptions(config), dashboardDist }),
        // The alerting routes live beside the query routes: one public API, the same keys.
        AlertingApiModule.forRoot({ databaseUrl: config.DATABASE_URL }),
      ],
    };
  }
}
