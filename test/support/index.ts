export * from './test-env';
export * from './kafka.helpers';
export * from './free-port';
