/**
 * The console bundle as built by console/build.ts: its whole JavaScript within the gzip budget
 * (a size, not a timing), a page the strict CSP can run (no inline script or style), nothing
 * written to localStorage or cookies, and the avatar function's domain matching bundled in.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildConsole, CONSOLE_JS_GZIP_BUDGET, type ConsoleBuild } from '../../../console/build';

let tmp: string;
let b: ConsoleBuild;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'avtrz-console-'));
  b = buildConsole(path.join(tmp, 'out'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const read = (f: string) => readFileSync(path.join(b.outDir, f), 'utf8');

test('the JavaScript of the whole console is at most 40 KB gzip', () => {
  // the figure the README and the report quote
  console.log(`console JavaScript: ${(b.jsGzipTotal / 1024).toFixed(1)} KB gzip over ${b.js.length} file(s)`);
  expect(b.js.length).toBeGreaterThan(0);
  expect(b.jsGzipTotal).toBeLessThanOrEqual(CONSOLE_JS_GZIP_BUDGET);
});

test('index.html loads one module script and one stylesheet by URL, nothing inline', () => {
  const html = read('index.html');
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  expect(scripts).toHaveLength(1);
  expect(scripts[0][1]).toMatch(/src="assets\/app-[A-Z0-9]+\.js"/);
  expect(scripts[0][2].trim()).toBe('');
  expect(html).not.toMatch(/<style\b/i);
  expect(html).not.toMatch(/\sstyle=/i);
  expect(html).not.toMatch(/\son[a-z]+=/i);
  expect(html).toMatch(/<link rel="stylesheet" href="assets\/app-[A-Z0-9]+\.css">/);
  for (const ref of html.matchAll(/(?:src|href)="(assets\/[^"]+)"/g)) expect(b.files).toContain(ref[1]);
});

test('the bundle never touches localStorage or document.cookie (tokens and keys stay in the tab)', () => {
  for (const f of b.js) {
    const js = read(f.file);
    expect(js).not.toMatch(/localStorage/);
    expect(js).not.toMatch(/\.cookie\b/);
  }
});

test("the bundle carries the avatar function's allow-list matching (the domain_blocked message with it)", () => {
  const js = b.js.map((f) => read(f.file)).join('\n');
  expect(js).toContain("are not on this key's allow-list");
});
