export * from './migration.runner';
