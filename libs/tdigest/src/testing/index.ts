export * from './rank-error';
export * from './seeded-random';
