import { renderTable } from './report';

describe('renderTable', () => {
  it('keeps a note that names a window key inside its cell', () => {
    const table = renderTable(
      [
        {
          id: 'peer',
          label: 'peer',
          status: 'mismatch',
          note: 'equal work: 1 of 2 windows differ (1m|0|svc|m|)',
        },
      ],
      '1 run',
      'whole run',
    );
    const row = table.split('\n').find((l) => l.startsWith('| peer '));
    // 10 columns: 11 cell borders once the escaped pipes are left out.
    expect(row?.replace(/\\\|/g, '').split('|')).toHaveLength(12);
    expect(row).toContain('1m\\|0\\|svc\\|m\\|');
  });
});
