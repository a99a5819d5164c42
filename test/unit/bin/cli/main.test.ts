import { parseDuration, run } from '../../../../bin/cli/main';

describe('CLI argument handling', () => {
  it('parses overlaps in seconds, minutes, hours and days', () => {
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('30m')).toBe(1800);
    expect(parseDuration('24h')).toBe(86400);
    expect(parseDuration('2d')).toBe(172800);
    expect(() => parseDuration('1.5h')).toThrow(/--overlap/);
    expect(() => parseDuration('-5')).toThrow(/--overlap/);
  });

  it.each([
    [['workspaces', 'create', '--name', 'x']],
    [['workspaces', 'create', '--name', 'x', '--quota', 'lots']],
    [['keys', 'create', '--workspace', 'ws_x', '--type', 'public', '--name', 'n']],
    [['keys', 'frobnicate']],
    [['keys', 'list', '--wrkspace', 'ws_x']],
    [['usage', '--workspace', 'ws_x', '--month', '11-2026']],
    [['keys', 'update', '--workspace', 'ws_x', '--key', 'key_x']],
    [[]],
  ])('exits 2 on a usage error: %j', async (argv) => {
    let err = '';
    let out = '';
    const code = await run(argv, {
      out: (s) => {
        out += s;
      },
      err: (s) => {
        err += s;
      },
      env: { AVTRZ_ENDPOINT: 'http://127.0.0.1:1' },
    });
    expect(code).toBe(2);
    expect(err).toMatch(/avtrz|Usage/);
    expect(out).toBe('');
  });
});
