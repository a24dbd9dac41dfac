import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { testEnv, uniqueName } from '@streammetrics/testing';
import { RateLimitRepository } from './rate-limit.repository';

/** REDIS_URL with a user and password: a Redis ACL user made for this test, deleted after it. */
describe('RateLimitRepository with a Redis ACL user', () => {
  const admin = new Redis(testEnv().redisUrl);
  const user = uniqueName('sm-acl');
  const password = randomBytes(16).toString('hex');
  const urlWith = (pw: string) => {
    const u = new URL(testEnv().redisUrl);
    u.username = user;
    u.password = pw;
    return u.toString();
  };

  beforeAll(async () => {
    // Only what the limiter needs: its own keys, the script and the commands inside it.
    await admin.call(
      'ACL',
      'SETUSER',
      user,
      'on',
      `>${password}`,
      '~ratelimit:*',
      '+@scripting',
      '+get',
      '+incrby',
      '+pexpire',
      '+time',
      '+select',
      '+ping',
      '+info',
      '+quit',
    );
  });
  afterAll(async () => {
    await admin.call('ACL', 'DELUSER', user);
    admin.disconnect();
  });

  it('counts with the right password and is refused with a wrong one, which no error shows', async () => {
    const repo = new RateLimitRepository(urlWith(password));
    const key = `ratelimit:{${uniqueName('k')}}`;
    await expect(repo.consume(key, 60_000, 10, 3)).resolves.toMatchObject({
      allowed: true,
      counts: { curr: 3 },
    });
    await repo.close();

    const wrong = new RateLimitRepository(urlWith('not-the-password'));
    const err = await wrong.consume(key, 60_000, 10, 3).then(
      () => undefined,
      (e: Error) => e,
    );
    await wrong.close();
    expect(err).toBeInstanceOf(Error);
    expect(String(err?.message)).not.toContain('not-the-password');
  });
});
