/**
 * bin/avtrz.js runs the CLI's esbuild bundle and rebuilds it on demand: when it is missing (a
 * clean clone after `npm ci`), when any source it was built from is newer than it (an edit, a
 * pull), or when one of those sources is gone. Here in a temporary folder, so the real
 * .cache/cli that other tests run is left alone.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// plain CommonJS, as bin/avtrz.js loads it
const build = require('../../../../bin/cli/build.js') as {
  ensureBuilt(outDir?: string): string;
  isFresh(outDir?: string): boolean;
};

const dir = mkdtempSync(path.join(os.tmpdir(), 'avtrz-cli-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the CLI bundle', () => {
  it('is built when missing, then reused while fresh', () => {
    expect(build.isFresh(dir)).toBe(false);
    const file = build.ensureBuilt(dir);
    expect(file).toBe(path.join(dir, 'avtrz.cjs'));
    expect(build.isFresh(dir)).toBe(true);
    const inputs = JSON.parse(readFileSync(path.join(dir, 'inputs.json'), 'utf8')).inputs as string[];
    expect(inputs).toEqual(
      expect.arrayContaining(['bin/cli/main.ts', 'bin/cli/registry.ts', 'package.json']),
    );
    expect(inputs.some((f) => f.includes('node_modules'))).toBe(false);
    const mtime = statSync(file).mtimeMs;
    expect(build.ensureBuilt(dir)).toBe(file);
    expect(statSync(file).mtimeMs).toBe(mtime);
  });

  it('runs on plain node and answers --version from package.json', () => {
    const out = execFileSync(
      process.execPath,
      ['-e', `require(${JSON.stringify(path.join(dir, 'avtrz.cjs'))}).main(['--version'])`],
      { encoding: 'utf8' },
    );
    expect(out).toBe(`${require('../../../../package.json').version}\n`);
  });

  it('is rebuilt when a source is newer than it', () => {
    const file = path.join(dir, 'avtrz.cjs');
    const old = new Date(Date.now() - 3600_000);
    utimesSync(file, old, old);
    expect(build.isFresh(dir)).toBe(false);
    build.ensureBuilt(dir);
    expect(statSync(file).mtimeMs).toBeGreaterThan(old.getTime() + 1000);
    expect(build.isFresh(dir)).toBe(true);
  });

  it('is rebuilt when a source it was built from is gone', () => {
    const manifest = path.join(dir, 'inputs.json');
    const m = JSON.parse(readFileSync(manifest, 'utf8'));
    writeFileSync(manifest, JSON.stringify({ inputs: [...m.inputs, 'bin/cli/no-such-file.ts'] }));
    expect(build.isFresh(dir)).toBe(false);
    build.ensureBuilt(dir);
    expect(build.isFresh(dir)).toBe(true);
  });
});
