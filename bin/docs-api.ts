/**
 * `npm run docs:api`: writes docs/api.md from the OpenAPI document (the one GET /v1/openapi.json
 * serves), so the reference in the repository is the document's. `--check` only says whether the
 * committed file is up to date (exit 1 when not).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openApiDocument } from '../lambdas/openapi/document';
import { renderApiMarkdown } from '../lib/docs/api-markdown';

export const API_DOC = path.resolve(__dirname, '../docs/api.md');

const text = renderApiMarkdown(openApiDocument());
if (process.argv.includes('--check')) {
  const current = readFileSync(API_DOC, 'utf8');
  if (current !== text) {
    process.stderr.write('docs/api.md is out of date: run npm run docs:api\n');
    process.exit(1);
  }
} else {
  writeFileSync(API_DOC, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), API_DOC)}\n`);
}
