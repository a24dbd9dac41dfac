import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ApiErrorFilter } from './api-error.filter';
import { CLOCK, systemClock, type Clock } from '@streammetrics/contracts';
import { ColdStoreRepository } from './cold-store.repository';
import { DASHBOARD_DIST, DashboardController } from './dashboard.controller';
import { DashboardDataController } from './dashboard-data.controller';
import { DeadLettersService } from './dead-letters.service';
import { DiscoveryService } from './discovery.service';
import { HotStoreRepository } from './hot-store.repository';
import { LiveGateway } from './live.gateway';
import { LiveHub } from './live.hub';
import { MetricStreamController } from './metricstream.controller';
import { MetricStreamService } from './metricstream.service';
import { OverviewService } from './overview.service';
import { QueryController } from './query.controller';
import { WindowsController } from './windows.controller';
import { QUERY_OPTIONS, type QueryOptions } from './query.options';
import { SeriesService } from './series.service';
import { SummaryService } from './summary.service';
import { TieredReader } from './tiered.reader';

export interface QueryModuleOptions extends QueryOptions {
  /** Folder of the built dashboard (index.html, assets/); undefined serves no page. */
  dashboardDist?: string;
  clock?: Clock;
}

/** REST, WebSocket and the dashboard page over the hot and cold tiers. Needs AuthModule. */
@Module({})
export class QueryModule {
  static forRoot(opts: QueryModuleOptions): DynamicModule {
    const { dashboardDist, clock, ...options } = opts;
    return {
      module: QueryModule,
      controllers: [
        QueryController,
        WindowsController,
        MetricStreamController,
        DashboardDataController,
        ...(dashboardDist ? [DashboardController] : []),
      ],
      providers: [
        { provide: QUERY_OPTIONS, useValue: options },
        { provide: CLOCK, useValue: clock ?? systemClock },
        { provide: DASHBOARD_DIST, useValue: dashboardDist ?? '' },
        { provide: APP_FILTER, useClass: ApiErrorFilter },
        HotStoreRepository,
        ColdStoreRepository,
        TieredReader,
        DiscoveryService,
        SeriesService,
        SummaryService,
        MetricStreamService,
        OverviewService,
        DeadLettersService,
        LiveHub,
        LiveGateway,
      ],
      exports: [LiveHub, HotStoreRepository, ColdStoreRepository],
    };
  }
}
