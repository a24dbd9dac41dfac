export * from './processor.options';
export * from './processor.metrics';
export * from './eos.runtime';
export * from './changelog.restorer';
export * from './dead-letter.message';
export * from './processor.service';
export * from './dead-letter.replayer';
