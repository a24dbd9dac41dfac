import { tagsKey } from '@streammetrics/contracts';
import { seededRandom } from './event-stream.fixture';
import { fastTagsKey } from './slice.store';

describe('fastTagsKey', () => {
  it('equals tagsKey for tag sets in any key order, including integer-like and escaped keys', () => {
    const rnd = seededRandom(5);
    const names = ['region', 'instance', 'a', 'B', '10', '2', 'é', 'x"y', 'gc', 'area', 'z', 'k\\'];
    for (let i = 0; i < 2_000; i++) {
      const tags: Record<string, string> = {};
      const n = Math.floor(rnd() * 11);
      for (let j = 0; j < n; j++) {
        tags[names[Math.floor(rnd() * names.length)] as string] = `v${Math.floor(rnd() * 5)}"\n`;
      }
      expect(fastTagsKey(tags)).toBe(tagsKey(tags));
    }
  });
});
