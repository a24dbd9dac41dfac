import { ConfigError, loadConfig } from './config.loader';
import { infraShape } from './infra.config';
import { authChecks, authShape, LOCAL_API_KEY_PEPPER } from './auth.config';
import { int } from './config.fields';

describe('loadConfig', () => {
  it('applies defaults when variables are unset or empty', () => {
    const c = loadConfig(infraShape, { KAFKA_BROKERS: '' });
    expect(c.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(c.LOG_LEVEL).toBe('info');
  });

  it('parses lists and numbers', () => {
    const c = loadConfig(
      { ...infraShape, PORT: int(1, 65535).default(80) },
      { KAFKA_BROKERS: 'a:1, b:2', PORT: '8080' },
    );
    expect(c.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(c.PORT).toBe(8080);
  });

  it('lists every bad variable with its value', () => {
    let error: unknown;
    try {
      loadConfig(infraShape, {
        KAFKA_BROKERS: 'nohostport',
        LOG_LEVEL: 'verbose',
        DATABASE_URL: 'mysql://x',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/KAFKA_BROKERS: .*host:port.*"nohostport"/);
    expect(problems).toMatch(/LOG_LEVEL: .*"verbose"/);
    expect(problems).toMatch(/DATABASE_URL: .*postgres/);
    expect((error as ConfigError).problems).toHaveLength(3);
  });

  it('never echoes a password or key it rejects', () => {
    const shape = {
      ...infraShape,
      KAFKA_SASL_PASSWORD: int(1, 2),
      API_KEY_PEPPER: int(1, 2),
    };
    let error: unknown;
    try {
      loadConfig(shape, {
        DATABASE_URL: 'mysql://app:hunter2-db@db:5432/x',
        REDIS_URL: 'redis//:hunter2-redis@cache',
        KAFKA_SASL_PASSWORD: 'hunter2-kafka',
        API_KEY_PEPPER: 'hunter2-pepper',
      });
    } catch (e) {
      error = e;
    }
    const text = (error as ConfigError).message;
    expect((error as ConfigError).problems).toHaveLength(4);
    expect(text).not.toMatch(/hunter2/);
    expect(text).toMatch(/DATABASE_URL: .*"mysql:\/\/app:\*\*\*@db:5432\/x"/);
    expect(text).toMatch(/REDIS_URL: .*value hidden/);
    expect(text).toMatch(/KAFKA_SASL_PASSWORD: .*value hidden/);
  });

  it('refuses the local API key pepper in production, and accepts it otherwise', () => {
    expect(loadConfig(authShape, {}, [authChecks]).API_KEY_PEPPER).toBe(LOCAL_API_KEY_PEPPER);
    expect(() => loadConfig(authShape, { NODE_ENV: 'production' }, [authChecks])).toThrow(
      /API_KEY_PEPPER: must be set/,
    );
    const pepper = 'p'.repeat(32);
    expect(
      loadConfig(authShape, { NODE_ENV: 'production', API_KEY_PEPPER: pepper }, [authChecks]).API_KEY_PEPPER,
    ).toBe(pepper);
  });
});
