import { Module, type DynamicModule } from '@nestjs/common';
import { ObservabilityModule } from '@streammetrics/observability';
import { ProcessorModule } from '@streammetrics/processor';
import { processorOptions, type ProcessorConfig } from './processor.config';

@Module({})
export class AppModule {
  static forConfig(config: ProcessorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ app: 'stream-processor', logLevel: config.LOG_LEVEL }),
        ProcessorModule.forRoot(processorOptions(config)),
      ],
    };
  }
}
