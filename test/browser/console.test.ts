/**
 * The console in headless Chromium, through the local stack (real gateway, handlers, DynamoDB
 * Local, s3rver, the OIDC issuer stand-in): the operator signs in, creates a workspace and a
 * publishable key, copies it, uses it in an <img> on an allowed page, breaks the allow-list and
 * sees domain_blocked, fixes it in the editor, rolls the key, moves traffic to the new key and
 * sees the chart switch over, revokes the old key; the member sees only their workspace.
 * Every page passes axe-core (no serious or critical violations), 375 px wide pages never
 * scroll sideways, and screenshots land in test-artifacts/console/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { LocalStack } from '../../lib/local/stack';
import { startLocalStack } from '../../lib/local/stack';
import { type Provider, startProvider } from '../support/provider';
import { launchChromium } from './support/chromium';
import { imgPage, type PageServer, startPageServer } from './support/page-server';

const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'console');
const OPERATOR = 'operator@avtrz.local';
const MEMBER = 'member@avtrz.local';

let stack: LocalStack;
let provider: Provider;
let pages: PageServer;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'avtrz-console-browser-'));
  provider = await startProvider();
  // allow-list changes and revocation must show within the test: a 1 s key cache
  [stack, pages, browser] = await Promise.all([
    startLocalStack({ dataDir, upstreamUrl: provider.template, env: { AVTRZ_KEY_CACHE_SECONDS: '1' } }),
    startPageServer(),
    launchChromium(),
  ]);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await pages?.close();
  await stack?.stop();
  await provider?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function newContext(width = 1100): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.apiUrl });
  return context;
}

async function signIn(context: BrowserContext, email: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(stack.consoleUrl);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: new RegExp(`Sign in as ${email.replace('.', '\\.')}`) }).click();
  await page.getByRole('heading', { level: 1, name: 'Workspaces' }).waitFor();
  return page;
}

/** axe-core on the page as it is now: no serious or critical violation. */
async function expectAccessible(page: Page, name: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${name}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad).toEqual([]);
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

async function noSideScroll(page: Page): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(client);
}

let slugs = 0;
const avatarSrc = (key: string) =>
  `${stack.apiUrl}/v1/avatar?key=${encodeURIComponent(key)}&linkedin_url=${encodeURIComponent(`linkedin.com/in/console-${Date.now().toString(36)}-${++slugs}`)}&size=64`;

/** An <img> with `key` on a page of 127.0.0.1:<page port>: the API's status and x-avtrz-error. */
async function imgFromPage(
  context: BrowserContext,
  key: string,
): Promise<{ status: number; error?: string }> {
  const src = avatarSrc(key);
  const pathName = `/p${slugs}.html`;
  pages.setPage(pathName, imgPage(src));
  const page = await context.newPage();
  try {
    const answer = page.waitForResponse((r) => r.url() === src);
    await page.goto(pages.url('127.0.0.1', pathName));
    const r = await answer;
    await page.waitForFunction(() => (window as unknown as { __settled?: string }).__settled, undefined, {
      timeout: 15_000,
    });
    return { status: r.status(), error: r.headers()['x-avtrz-error'] };
  } finally {
    await page.close();
  }
}

/** Repeats the <img> load until `ok` (a key-cache TTL of 1 s separates a change from its effect). */
async function imgUntil(
  context: BrowserContext,
  key: string,
  ok: (r: { status: number; error?: string }) => boolean,
): Promise<{ status: number; error?: string }> {
  let r = await imgFromPage(context, key);
  for (let i = 0; i < 20 && !ok(r); i++) {
    await new Promise((res) => setTimeout(res, 250));
    r = await imgFromPage(context, key);
  }
  return r;
}

interface ChartData {
  grain: string;
  times: number[];
  keys: { id: string; counts: number[]; total: number }[];
}
const chartData = async (page: Page): Promise<ChartData> =>
  JSON.parse((await page.locator('figure.chart').getAttribute('data-series')) as string);

describe('the console, operator then member', () => {
  let context: BrowserContext;
  let page: Page;
  let firstKey: string;
  let firstId: string;
  let newKey: string;
  let newId: string;
  let wsId: string;

  beforeAll(async () => {
    context = await newContext();
  });
  afterAll(async () => {
    await context?.close();
  });

  it('the operator signs in with code + PKCE and sees every workspace', async () => {
    page = await signIn(context, OPERATOR);
    expect(page.url()).toBe(stack.consoleUrl);
    await page.getByRole('link', { name: 'Demo' }).first().waitFor();
    // tokens are in this tab's sessionStorage, never in localStorage or a cookie
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await context.cookies(stack.apiUrl)).toEqual([]);
    await expectAccessible(page, 'workspaces');
    await shot(page, 'workspaces');
  });

  it('creates a workspace and a publishable key, shown once with copy buttons', async () => {
    await page.getByLabel('Name').fill('Browser Co');
    await page.getByLabel('Monthly quota (requests)').fill('1000');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.getByRole('heading', { level: 1, name: 'Browser Co' }).waitFor();
    wsId = (/\/workspaces\/(ws_[^/]+)/.exec(page.url()) as RegExpExecArray)[1];
    await expect(page.getByText('No keys yet.').isVisible()).resolves.toBe(true);
    await expectAccessible(page, 'workspace (empty)');

    await page.getByLabel('Type').selectOption('publishable');
    await page.getByLabel('Name', { exact: true }).last().fill('web');
    await page.getByLabel(/^Allowed domains/).fill('127.0.0.1');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('button', { name: 'Copy Key web' }).click();
    await page.getByText('Copied.').first().waitFor();
    firstKey = await page.evaluate(() => navigator.clipboard.readText());
    expect(firstKey).toMatch(/^pk_live_[A-Za-z0-9]{38}$/);
    const img = await page.getByRole('textbox', { name: 'img tag' }).inputValue();
    expect(img).toContain(`key=${firstKey}`);
    // the secret shown once is in the page only: no storage holds it
    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    expect(stored).not.toContain(firstKey);
    firstId = (await page.locator('li[data-key-id]').first().getAttribute('data-key-id')) as string;
    await expectAccessible(page, 'workspace (key created)');
    await shot(page, 'key-created');
  });

  it('the copied key works in an <img> on an allowed page', async () => {
    const r = await imgFromPage(context, firstKey);
    expect(r.status).toBe(302);
  });

  it('a broken allow-list answers domain_blocked on the page; the editor shows the API message and fixes it', async () => {
    await page.getByRole('link', { name: 'Manage key web' }).click();
    await page.getByRole('heading', { level: 2, name: 'Allowed domains' }).waitFor();
    await page.getByRole('textbox', { name: 'Allowed domain 1', exact: true }).fill('example.com');
    await page.getByRole('button', { name: 'Save allowed domains' }).click();
    await page.getByText(/^Saved\./).waitFor();
    const blocked = await imgUntil(context, firstKey, (x) => x.status === 403);
    expect(blocked).toEqual({ status: 403, error: 'domain_blocked' });

    // the tester (the avatar function's own matching) agrees, before the fix
    await page.getByLabel('Page URL').fill(pages.url('127.0.0.1', '/p.html'));
    await expect(page.locator('#tester-verdict').textContent()).resolves.toMatch(
      /^Blocked \(403 domain_blocked\)/,
    );

    // an entry the API refuses: its message next to that entry
    await page.getByRole('button', { name: 'Add a domain' }).click();
    await page
      .getByRole('textbox', { name: 'Allowed domain 2', exact: true })
      .fill('https://app.example.com/path');
    await page.getByRole('button', { name: 'Save allowed domains' }).click();
    const note = page.locator('#domain-error');
    await note.waitFor();
    expect(await note.textContent()).toMatch(/allowed_domains\[1\] is not a valid entry/);
    expect(
      await page
        .getByRole('textbox', { name: 'Allowed domain 2', exact: true })
        .getAttribute('aria-describedby'),
    ).toBe('domain-error');
    await expectAccessible(page, 'key (validation message)');
    await shot(page, 'domains-error');

    await page.getByRole('textbox', { name: 'Allowed domain 2', exact: true }).fill('127.0.0.1');
    await page.getByRole('button', { name: 'Save allowed domains' }).click();
    await page.getByText(/^Saved\./).waitFor();
    await page.locator('#tester-verdict', { hasText: /^Allowed/ }).waitFor();
    const fixed = await imgUntil(context, firstKey, (x) => x.status === 302);
    expect(fixed.status).toBe(302);
  });

  it('rolls the key with an overlap; traffic on the new key shows as the chart switching over', async () => {
    await page.getByRole('radio', { name: '1 h' }).check();
    await page.getByRole('button', { name: 'Roll web' }).click();
    await page.getByRole('heading', { name: 'Rolled: old and new key' }).waitFor();
    newKey = await page.getByRole('textbox', { name: 'Key web', exact: true }).inputValue();
    expect(newKey).toMatch(/^pk_live_/);
    expect(newKey).not.toBe(firstKey);
    newId = (
      /keys\/(key_[^/]+)$/.exec(
        (await page.getByRole('link', { name: 'Manage new key' }).getAttribute('href')) as string,
      ) as RegExpExecArray
    )[1];
    await expectAccessible(page, 'key (rolled)');

    await page.getByRole('button', { name: 'Refresh usage' }).click();
    await page.waitForFunction(() => !document.querySelector('button[disabled]'));
    const before = await chartData(page);
    const oldBefore = before.keys.find((k) => k.id === firstId)?.total ?? 0;
    expect(oldBefore).toBeGreaterThanOrEqual(2);
    expect(before.keys.find((k) => k.id === newId)?.total).toBe(0);

    for (let i = 0; i < 3; i++) expect((await imgFromPage(context, newKey)).status).toBe(302);

    // the chart's own data: old and new key side by side, the new one carrying the traffic now
    let after = before;
    for (let i = 0; i < 10; i++) {
      await page.getByRole('button', { name: 'Refresh usage' }).click();
      await page.waitForFunction(() => !document.querySelector('button[disabled]'));
      after = await chartData(page);
      if ((after.keys.find((k) => k.id === newId)?.total ?? 0) >= 3) break;
    }
    expect(after.grain).toBe('5min');
    expect(after.keys.map((k) => k.id).sort()).toEqual([firstId, newId].sort());
    const oldK = after.keys.find((k) => k.id === firstId) as ChartData['keys'][number];
    const newK = after.keys.find((k) => k.id === newId) as ChartData['keys'][number];
    expect(newK.total).toBe(3);
    expect(oldK.total).toBe(oldBefore);
    const last = after.times.length - 1;
    expect(newK.counts[last]).toBeGreaterThan(0);
    await shot(page, 'rolled');
  });

  it('revokes the old key after a confirmation that names it', async () => {
    await page.getByRole('link', { name: 'Manage old key' }).click();
    await page.getByRole('button', { name: 'Revoke…' }).click();
    const dialog = page.getByRole('alertdialog');
    expect(await dialog.textContent()).toMatch(/^Revoke web \(pk_live_…[A-Za-z0-9]{4}\)\?/);
    await expectAccessible(page, 'key (revoke confirmation)');
    await shot(page, 'revoke-confirm');
    await page.getByRole('button', { name: 'Revoke web' }).click();
    await page.locator('.status.revoked').waitFor();
    const gone = await imgUntil(context, firstKey, (x) => x.status === 401);
    expect(gone).toEqual({ status: 401, error: 'invalid_key' });
    expect((await imgFromPage(context, newKey)).status).toBe(302);
  });

  it('a secret key sent in a URL shows the exposed warning, whose "Roll now" leads to the roll', async () => {
    await page.getByRole('link', { name: 'Workspace', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Browser Co' }).waitFor();
    await page.getByLabel('Type').selectOption('secret');
    await page.getByLabel('Name', { exact: true }).last().fill('server');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.getByRole('textbox', { name: 'Key server', exact: true }).inputValue();
    expect(secret).toMatch(/^sk_live_/);
    // the mistake the warning is for: a secret key in the query string (refused, and flagged)
    const leaked = await fetch(
      `${stack.apiUrl}/v1/avatar?key=${secret}&linkedin_url=linkedin.com/in/leak&debug=1`,
    );
    expect(leaked.status).toBe(401);
    await page.reload();
    const warning = page.locator('li[data-key-id] .warn', { hasText: 'Exposed' });
    await warning.waitFor();
    await expectAccessible(page, 'workspace (exposed key)');
    await shot(page, 'exposed-warning');
    await page.getByRole('link', { name: 'Roll server now' }).click();
    await page.getByRole('heading', { level: 2, name: 'Roll this key' }).waitFor();
    expect(page.url()).toMatch(/\/keys\/key_[^/]+#roll$/);
  });

  it('signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await expectAccessible(page, 'sign-in');
    await shot(page, 'signed-out');
  });

  it('the member sees only their workspace; another one answers not found', async () => {
    const member = await newContext();
    try {
      const m = await signIn(member, MEMBER);
      const cards = m.locator('ul[aria-label="Workspaces"] > li');
      await cards.first().waitFor();
      expect(await cards.count()).toBe(1);
      expect(await cards.first().textContent()).toContain(stack.demo.workspaceId);
      await shot(m, 'member-workspaces');
      await m.goto(`${stack.consoleUrl}workspaces/${wsId}`);
      await m.getByRole('alert').waitFor();
      expect(await m.getByRole('alert').textContent()).toMatch(/not found/i);
      await expectAccessible(m, 'member (not found)');
    } finally {
      await member.close();
    }
  });
});

describe('375 px wide', () => {
  it('no page scrolls sideways', async () => {
    const context = await newContext(375);
    try {
      const page = await signIn(context, OPERATOR);
      await noSideScroll(page);
      await shot(page, 'mobile-workspaces');
      await page.goto(`${stack.consoleUrl}workspaces/${stack.demo.workspaceId}`);
      await page.getByRole('heading', { level: 2, name: 'API keys' }).waitFor();
      await page.locator('figure.chart').waitFor();
      await noSideScroll(page);
      await expectAccessible(page, 'mobile workspace');
      await shot(page, 'mobile-workspace');
      await page.locator('li[data-key-id] a.title').first().click();
      await page.getByRole('heading', { level: 2, name: 'Roll this key' }).waitFor();
      await noSideScroll(page);
      await expectAccessible(page, 'mobile key');
      await shot(page, 'mobile-key');
    } finally {
      await context.close();
    }
  });
});
