import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_WINDOWS, parseWindows } from '@streammetrics/contracts';

describe('the JVM peers compute the default windows', () => {
  it('WindowDef.java lists exactly the default window set', () => {
    const java = readFileSync(
      join(__dirname, 'common', 'src', 'main', 'java', 'streammetrics', 'peer', 'WindowDef.java'),
      'utf8',
    );
    const defs = [
      ...java.matchAll(/new WindowDef\("([^"]+)", "(\w+)", "([^"]+)", ([\d_]+), ([\d_]+)\)/g),
    ].map((m) => [m[1], m[2], m[3], Number(m[4]!.replace(/_/g, '')), Number(m[5]!.replace(/_/g, ''))]);
    expect(defs).toEqual(
      parseWindows(DEFAULT_WINDOWS).map((w) => [w.id, w.type, w.size, w.sizeMs, w.advanceMs]),
    );
  });
});
