export * from './health.service';
export * from './metrics.registry';
export * from './observability.module';
export * from './app.bootstrap';
export * from './fatal.exit';
