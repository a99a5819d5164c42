/**
 * "Already looked up" is per workspace (spec section 4): the stored photo is shared by the
 * deployment, but a profile another workspace looked up is still a NEW lookup for this one, so a
 * workspace at its quota gets plan_limit for it (and is not counted), while one below its quota
 * gets it, counted as its own new lookup. Once a workspace has looked a profile up, it keeps
 * getting it at its quota, also after a cold start (the decision is stored, not only cached).
 */
import { createHandler } from '../../lambdas/avatar/handler';
import { APP_ORIGIN, freshSlug, usageItem, workspaceWithKeys } from '../support/avatar-fixtures';
import { invoke } from '../support/events';
import { coldStart, testRuntime } from '../support/runtime';

const handler = createHandler(testRuntime);
const month = () => new Date().toISOString().slice(0, 7);
const ask = (key: string, slug: string) =>
  invoke(handler, {
    query: { key, linkedin_url: `linkedin.com/in/${slug}`, debug: '1' },
    headers: APP_ORIGIN,
  });
const used = async (ws: string) => Number((await usageItem(ws, month()))?.used ?? 0);

afterEach(() => coldStart());

test('a profile another workspace looked up is a new lookup for this one', async () => {
  const a = await workspaceWithKeys(10);
  const zero = await workspaceWithKeys(0);
  const full = await workspaceWithKeys(1);
  const below = await workspaceWithKeys(1);
  const p = freshSlug('shared');

  const first = await ask(a.pk, p);
  expect(first.status).toBe(302);

  // quota 0: refused, not counted
  const z = await ask(zero.pk, p);
  expect(z.status).toBe(403);
  expect(z.json.error.code).toBe('plan_limit');
  expect(await used(zero.ws)).toBe(0);

  // at its quota (its one lookup spent on another profile): refused, not counted
  expect((await ask(full.pk, freshSlug('own'))).status).toBe(302);
  const f = await ask(full.pk, p);
  expect(f.status).toBe(403);
  expect(f.json.error.code).toBe('plan_limit');
  expect(await used(full.ws)).toBe(1);

  // below its quota: served the shared photo, and that spent its one new lookup
  const b = await ask(below.pk, p);
  expect(b.status).toBe(302);
  expect(b.headers.location).toBe(first.headers.location);
  expect(b.headers['x-quota-remaining']).toBe('0');
  expect(await used(below.ws)).toBe(1);
  expect((await ask(below.pk, freshSlug('next'))).json.error.code).toBe('plan_limit');
  // …and now it is looked up for that workspace: served (and counted) at the quota
  expect((await ask(below.pk, p)).status).toBe(302);
  expect(await used(below.ws)).toBe(2);

  // the workspace that looked it up first keeps getting it
  expect((await ask(a.pk, p)).status).toBe(302);

  // a new container: the decision comes from DynamoDB, not from this runtime's memory
  coldStart();
  expect((await ask(zero.pk, p)).json.error.code).toBe('plan_limit');
  expect((await ask(full.pk, p)).json.error.code).toBe('plan_limit');
  const again = await ask(below.pk, p);
  expect(again.status).toBe(302);
  expect(await used(below.ws)).toBe(3);
  expect(await used(zero.ws)).toBe(0);
  expect(await used(full.ws)).toBe(1);
});
