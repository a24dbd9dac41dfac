export * from './config.loader';
export * from './config.fields';
export * from './infra.config';
export { maskUrlPassword } from './secret.values';
export * from './auth.config';
export * from './workers';
