import { ConfigError } from '@streammetrics/config';
import { loadProcessorConfig, processorOptions } from './processor.config';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadProcessorConfig(env);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems;
  }
};

describe('stream-processor configuration', () => {
  it('has working defaults: 100 ms commits, 1 s emits, transaction timeout below the session', () => {
    const o = processorOptions(loadProcessorConfig({}));
    expect(o.commitIntervalMs).toBe(100);
    expect(o.windowing.emitIntervalMs).toBe(1000);
    expect(o.transactionTimeoutMs).toBeLessThan(o.sessionTimeoutMs);
    expect(o.groupId).toBe('streammetrics-processors');
  });

  it('rejects an emit interval shorter than the commit interval', () => {
    expect(problemsOf({ COMMIT_INTERVAL_MS: '500', EMIT_INTERVAL_MS: '100' })).toEqual([
      expect.stringMatching(/^EMIT_INTERVAL_MS: must be >= COMMIT_INTERVAL_MS \(500\)/),
    ]);
  });

  it('rejects a transaction timeout that is not below the session timeout', () => {
    expect(problemsOf({ SESSION_TIMEOUT_MS: '10000', TRANSACTION_TIMEOUT_MS: '10000' })).toEqual([
      expect.stringMatching(/^TRANSACTION_TIMEOUT_MS: must be below SESSION_TIMEOUT_MS/),
    ]);
  });

  it('lists every bad variable at once', () => {
    const problems = problemsOf({ GRACE_MS: '-1', TOPIC_PREFIX: 'a b', COMMIT_INTERVAL_MS: 'soon' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'COMMIT_INTERVAL_MS',
      'GRACE_MS',
      'TOPIC_PREFIX',
    ]);
  });
});
