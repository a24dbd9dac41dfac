export * from './migration.runner';
export * from './stat.columns';
