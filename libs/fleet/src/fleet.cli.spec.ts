import { parseDuration, parseSimulateArgs } from './fleet.cli';

const ENV = { KAFKA_BROKERS: ['127.0.0.1:9092'], TOPIC_PREFIX: '', GATEWAY_URL: 'http://127.0.0.1:8080' };

describe('simulate CLI', () => {
  it('defaults to Kafka, 200 ev/s, until stopped', () => {
    const a = parseSimulateArgs(['--rate', '200'], ENV);
    expect(a).toMatchObject({
      target: 'kafka',
      rate: 200,
      services: 20,
      seed: 42,
      brokers: ['127.0.0.1:9092'],
    });
    expect(a.durationMs).toBeUndefined();
    expect(a.count).toBeUndefined();
  });

  it('parses every option', () => {
    const a = parseSimulateArgs(
      [
        '--services',
        '5',
        '--rate=5000',
        '--duration',
        '90s',
        '--seed',
        '7',
        '--late',
        '0.01',
        '--out-of-order',
        '0.05',
      ],
      ENV,
    );
    expect(a).toMatchObject({
      services: 5,
      rate: 5000,
      durationMs: 90_000,
      seed: 7,
      late: 0.01,
      outOfOrder: 0.05,
    });
    const b = parseSimulateArgs(['--start-time', '-20m', '--count', '10'], ENV, 1_000_000_000_000);
    expect(b.startTime).toBe(1_000_000_000_000 - 1_200_000);
    expect(b.count).toBe(10);
  });

  it('rejects bad values with a message naming the option', () => {
    expect(() => parseSimulateArgs(['--rate', 'fast'], ENV)).toThrow(/--rate/);
    expect(() => parseSimulateArgs(['--target', 'udp'], ENV)).toThrow(/--target/);
    expect(() => parseSimulateArgs(['--target', 'http'], ENV)).toThrow(/api-key/);
    expect(() => parseSimulateArgs(['--bogus'], ENV)).toThrow(/unknown option/);
  });

  it('parses durations', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('60s')).toBe(60_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('2')).toBe(2000);
    expect(() => parseDuration('soon')).toThrow();
  });
});
