export * from './windowing.options';
export * from './window.assigner';
export * from './changelog.codec';
export * from './partition.windows';
export { OVERFLOW_METRIC, OVERFLOW_SERVICE, OVERFLOW_TAGS } from './slice.state';
export { fastTagsKey } from './slice.store';
export * from './window.stats';
