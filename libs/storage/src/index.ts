export * from './migration.runner';
export * from './stat.columns';
export * from './returned.row';
export * from './in.transaction';
