// Test helpers of the sink: not exported from the lib's index, imported by path from its tests.
export * from './aggregate.fixture';
export * from './fault-proxy';
