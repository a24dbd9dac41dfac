import { Module, type DynamicModule } from '@nestjs/common';
import { ObservabilityModule } from '@streammetrics/observability';
import { PROCESSOR_OPTIONS, ProcessorService } from '@streammetrics/processor';
import { processorOptions, type ProcessorConfig } from './processor.config';

@Module({})
export class AppModule {
  static forConfig(config: ProcessorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ObservabilityModule.forRoot({ app: 'stream-processor', logLevel: config.LOG_LEVEL })],
      providers: [{ provide: PROCESSOR_OPTIONS, useValue: processorOptions(config) }, ProcessorService],
    };
  }
}
