export * from './test-env';
export * from './kafka.helpers';
