export * from './health.service';
export * from './metrics.registry';
export * from './observability.module';
export * from './app.bootstrap';
export * from './app.logger';
export * from './fatal.exit';
export * from './runtime.lifecycle';
export * from './standalone.context';
