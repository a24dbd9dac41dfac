import { logsRequests } from './observability.module';

describe('logsRequests', () => {
  it('is true where the request line (info) is written, false above it', () => {
    expect(['trace', 'debug', 'info'].map(logsRequests)).toEqual([true, true, true]);
    expect(['warn', 'error', 'fatal', 'silent'].map(logsRequests)).toEqual([false, false, false, false]);
  });
});
