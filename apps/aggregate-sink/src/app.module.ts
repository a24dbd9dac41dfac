import { Module, type DynamicModule } from '@nestjs/common';
import { ObservabilityModule } from '@streammetrics/observability';
import { SinkModule } from '@streammetrics/sink';
import { sinkOptions, type SinkConfig } from './aggregate-sink.config';

@Module({})
export class AppModule {
  static forConfig(config: SinkConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ app: 'aggregate-sink', logLevel: config.LOG_LEVEL }),
        SinkModule.forRoot(sinkOptions(config)),
      ],
    };
  }
}
