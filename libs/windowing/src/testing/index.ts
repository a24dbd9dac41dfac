export * from './window.oracle';
