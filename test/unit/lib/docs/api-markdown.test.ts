/** docs/api.md is the OpenAPI document rendered (npm run docs:api): committed up to date, every route in it. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openApiDocument } from '../../../../lambdas/openapi/document';
import { ROUTES } from '../../../../lambdas/routes';
import { renderApiMarkdown } from '../../../../lib/docs/api-markdown';

const committed = readFileSync(path.resolve(__dirname, '../../../../docs/api.md'), 'utf8');

test('the committed docs/api.md is the rendering of the current document (run npm run docs:api)', () => {
  expect(committed).toBe(renderApiMarkdown(openApiDocument()));
});

test('every route has its section: method, path, auth, parameters, answers and errors', () => {
  for (const r of ROUTES) expect(committed).toContain(`## \`${r.method} ${r.path}\``);
  const avatar = committed.slice(
    committed.indexOf('## `GET /v1/avatar`'),
    committed.indexOf('## `POST /v1/avatars/batch`'),
  );
  expect(avatar).toContain('**Auth:** `x-api-key` header, or `?key=` (publishable keys only)');
  expect(avatar).toMatch(/\| `username` \| query \|/);
  expect(avatar).toMatch(/\| 302 \|/);
  expect(avatar).toMatch(/\| 403 \| `plan_limit` \|/);
});

test('a change to the document shows in the rendering (the up-to-date check can fail)', () => {
  const doc = openApiDocument() as { paths: Record<string, Record<string, { summary: string }>> };
  doc.paths['/v1/avatar'].get.summary = 'Something else';
  expect(renderApiMarkdown(doc)).not.toBe(committed);
});
