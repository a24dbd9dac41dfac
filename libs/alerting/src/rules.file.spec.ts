import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRulesFile, RulesFileError } from './rules.file';

const dir = mkdtempSync(join(tmpdir(), 'sm-rules-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('readRulesFile', () => {
  it('reads the rules `npm start` loads', () => {
    const rules = readRulesFile(join(__dirname, '..', '..', '..', 'scripts', 'start', 'alert-rules.yaml'));
    expect(rules.map((r) => r.id)).toEqual(['payment-latency-high']);
    expect(rules[0]?.spec).toMatchObject({ service: 'payment-service', stat: 'p95', threshold: 2000 });
  });

  it('derives an id from the name when the rule has none', () => {
    const p = file(
      'named.yaml',
      'rules:\n  - name: Checkout Errors!\n    window: 5m\n    stat: count\n    op: ">"\n    threshold: 5\n    receivers: [http://x/hook]\n',
    );
    expect(readRulesFile(p).map((r) => r.id)).toEqual(['checkout-errors']);
  });

  it('refuses a file with any bad rule, listing every problem with its rule', () => {
    const p = file(
      'bad.yaml',
      [
        'rules:',
        '  - { id: a, name: ok, window: 1m, stat: p99, op: ">", threshold: 1, receivers: [http://x/h] }',
        '  - { id: b, name: bad, window: 7m, stat: p99, op: "!", threshold: 1, receivers: [http://x/h] }',
        '  - { id: a, name: dup, window: 1m, stat: q2, op: ">", threshold: 1, receivers: [] }',
      ].join('\n'),
    );
    let err: unknown;
    try {
      readRulesFile(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RulesFileError);
    const problems = (err as RulesFileError).problems.map((x) => `${x.index}${x.field}`).sort();
    expect(problems).toEqual(['1/op', '1/window', '2/receivers', '2/stat']);
  });

  it('refuses a file that is not a list of rules', () => {
    expect(() => readRulesFile(file('empty.yaml', 'rule: []\n'))).toThrow(/\/rules: must be a list of rules/);
  });
});
