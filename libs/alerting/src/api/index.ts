export * from './alerting-api.module';
export * from './alerting-api.options';
export * from './alerting-api.dto';
export * from './alerts.repository';
export * from './silence-spec.check';
