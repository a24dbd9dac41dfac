// testTimeout is a global jest option, not a per-project one: each I/O tier sets its own here.
jest.setTimeout(Number(process.env.SM_TEST_TIMEOUT_MS ?? 120_000));
