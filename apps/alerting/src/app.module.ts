import { Module, type DynamicModule } from '@nestjs/common';
import { ALERTING_OPTIONS, AlertingService } from '@streammetrics/alerting';
import { ObservabilityModule } from '@streammetrics/observability';
import { alertingOptions, type AlertingConfig } from './alerting.config';

@Module({})
export class AppModule {
  static forConfig(config: AlertingConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ObservabilityModule.forRoot({ app: 'alerting', logLevel: config.LOG_LEVEL })],
      providers: [{ provide: ALERTING_OPTIONS, useValue: alertingOptions(config) }, AlertingService],
    };
  }
}
