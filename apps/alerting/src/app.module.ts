import { Module, type DynamicModule } from '@nestjs/common';
import { AlertingModule } from '@streammetrics/alerting';
import { ObservabilityModule } from '@streammetrics/observability';
import { alertingOptions, type AlertingConfig } from './alerting.config';

@Module({})
export class AppModule {
  static forConfig(config: AlertingConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ app: 'alerting', logLevel: config.LOG_LEVEL }),
        AlertingModule.forRoot(alertingOptions(config)),
      ],
    };
  }
}
