import { TDigest } from '@streammetrics/tdigest';
import {
  ChangelogDecodeError,
  decodeChangelogKey,
  decodeMetaValue,
  decodeSliceValue,
  encodeMetaValue,
  encodeSliceValue,
  sliceChangelogKey,
} from './changelog.codec';
import { seededRandom } from './event-stream.fixture';
import { PartitionWindows } from './partition.windows';

const KEY = sliceChangelogKey('svc', 'm.x', '{"a":"x|y"}', 1_707_267_600_000);

function digestOf(values: number[]): TDigest {
  const d = new TDigest({ compression: 100 });
  for (const v of values) d.add(v);
  return d;
}

describe('changelog codec', () => {
  it('round-trips slice keys, including tags that contain the separator', () => {
    expect(KEY).toBe('s|svc|m.x|{"a":"x|y"}|1707267600000');
    expect(decodeChangelogKey(KEY)).toEqual({
      kind: 'slice',
      serviceId: 'svc',
      metricName: 'm.x',
      tagsKey: '{"a":"x|y"}',
      sliceStart: 1_707_267_600_000,
    });
    expect(decodeChangelogKey(sliceChangelogKey('svc', 'm', '', 0))).toMatchObject({
      tagsKey: '',
      sliceStart: 0,
    });
    expect(decodeChangelogKey('meta')).toEqual({ kind: 'meta' });
  });

  it('round-trips a slice exactly in count, sum, min and max', () => {
    const values = [0.25, -3, 1e12, 42.5, 7];
    const back = decodeSliceValue(KEY, encodeSliceValue(digestOf(values)));
    expect([back.count, back.sum, back.min, back.max]).toEqual([5, 1e12 + 46.75, -3, 1e12]);
    expect(back.quantile(0.5)).toBeCloseTo(digestOf(values).quantile(0.5), 3);
  });

  it('round-trips meta, including the stream time before the first event', () => {
    expect(decodeMetaValue('meta', encodeMetaValue({ streamTime: 1_707_267_600_123 }))).toEqual({
      streamTime: 1_707_267_600_123,
    });
    expect(decodeMetaValue('meta', encodeMetaValue({ streamTime: -Infinity })).streamTime).toBe(-Infinity);
  });

  it.each([
    ['an unknown kind', 'x|svc|m|0'],
    ['a missing field', 's|svc|0'],
    ['a bad service name', 's|s v c|m||0'],
    ['a start with leading zeros', 's|svc|m||010000'],
    ['a start off the slice grid', 's|svc|m||10001'],
    ['non-canonical tags', 's|svc|m|{"b":"1","a":"2"}|0'],
    ['non-JSON tags', 's|svc|m|{oops|0'],
    ['non-string tag values', 's|svc|m|{"a":1}|0'],
  ])('rejects a key with %s', (_why, key) => {
    expect(() => decodeChangelogKey(key)).toThrow(ChangelogDecodeError);
  });

  it('rejects garbage values with a clear, non-retriable error', () => {
    const good = encodeSliceValue(digestOf([1, 2, 3]));
    const cases: [string, Uint8Array, RegExp][] = [
      ['empty', new Uint8Array(0), /bad magic/],
      ['json', new TextEncoder().encode('{"count":1}'), /bad magic/],
      ['future version', Uint8Array.from([0x53, 0x57, 9, 1, 0]), /unsupported format version 9/],
      ['meta bytes under a slice key', encodeMetaValue({ streamTime: 5 }), /kind 2 does not match/],
      ['truncated', good.slice(0, 20), /bad digest/],
    ];
    const flipped = good.slice();
    flipped[30] = (flipped[30] as number) ^ 0xff;
    cases.push(['a flipped bit', flipped, /bad digest/]);
    for (const [, bytes, message] of cases) {
      let err: unknown;
      try {
        decodeSliceValue(KEY, bytes);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ChangelogDecodeError);
      expect((err as ChangelogDecodeError).message).toMatch(message);
      expect((err as ChangelogDecodeError).retriable).toBe(false);
    }
    expect(() => decodeMetaValue('meta', good)).toThrow(/does not match/);
  });

  it('rejects random bytes', () => {
    const rnd = seededRandom(7);
    for (let i = 0; i < 200; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(rnd() * 80) }, () => Math.floor(rnd() * 256));
      expect(() => decodeSliceValue(KEY, bytes)).toThrow(ChangelogDecodeError);
      expect(() => decodeMetaValue('meta', bytes)).toThrow(ChangelogDecodeError);
    }
  });

  it('makes restore fail loudly on a corrupt entry instead of starting from partial state', () => {
    const entries = [{ key: KEY, value: Uint8Array.from([1, 2, 3]) }];
    expect(() => PartitionWindows.restore({}, entries)).toThrow(ChangelogDecodeError);
  });
});
