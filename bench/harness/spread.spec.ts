import { formatSpread, spreadOf } from './spread';

describe('spreadOf', () => {
  it('gives the median and range of the runs', () => {
    expect(spreadOf([30, 10, 20])).toEqual({ median: 20, min: 10, max: 30, runs: 3 });
    expect(spreadOf([4, 1, 3, 2])?.median).toBe(2.5);
    expect(spreadOf([])).toBeUndefined();
  });

  it('formats one run as its value and several as median (min–max)', () => {
    expect(formatSpread(spreadOf([1234.4]))).toBe('1,234');
    expect(formatSpread(spreadOf([1.26, 1.04, 2]), 1)).toBe('1.3 (1.0–2.0)');
  });
});
