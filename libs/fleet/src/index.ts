export * from './fleet.random';
export * from './fleet.model';
export * from './fleet.generator';
export * from './fleet.sink';
export * from './fleet.kafka.repository';
export * from './fleet.http.repository';
export * from './fleet.simulator';
export * from './fleet.cli';
