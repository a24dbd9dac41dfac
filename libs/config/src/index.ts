export * from './config.loader';
export * from './config.fields';
export * from './infra.config';
