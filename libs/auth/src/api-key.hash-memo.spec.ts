import { ApiKeyHashMemo } from './api-key.hash-memo';

describe('ApiKeyHashMemo', () => {
  it('remembers a hash for its TTL after it was computed, not after its last use', () => {
    let now = 0;
    const memo = new ApiKeyHashMemo(1000, 10, () => now);
    memo.remember('k', 'h');
    now = 999;
    expect(memo.get('k')).toBe('h');
    memo.remember('k', 'h'); // a use does not extend it
    now = 1000;
    expect(memo.get('k')).toBeUndefined();
    expect(memo.size).toBe(0);
  });

  it('holds at most maxEntries keys, dropping the oldest', () => {
    const memo = new ApiKeyHashMemo(60_000, 2, () => 0);
    memo.remember('a', '1');
    memo.remember('b', '2');
    memo.remember('c', '3');
    expect([memo.get('a'), memo.get('b'), memo.get('c')]).toEqual([undefined, '2', '3']);
    memo.forget('b');
    expect(memo.get('b')).toBeUndefined();
  });
});
