/**
 * docs/api.md, rendered from the OpenAPI document (lambdas/openapi/document.ts) so the reference
 * cannot drift from what the API serves at GET /v1/openapi.json. Pure: document in, Markdown out
 * (`npm run docs:api` writes it; test/unit/lib/docs/api-markdown.test.ts checks the committed file).
 */

// biome-ignore lint/suspicious/noExplicitAny: the document is walked as plain JSON
type Json = any;

const SCHEME_TEXT: Record<string, string> = {
  ApiKey: '`x-api-key` header',
  PublishableKey: '`?key=` (publishable keys only)',
  SigV4: 'IAM (SigV4)',
  LocalAdminToken: '`Authorization: Bearer $AVTRZ_ADMIN_TOKEN` (local stack)',
  ConsoleJwt: 'console sign-in (JWT bearer)',
};

/** Prose from the document: `<slug>` and `<img>` are text, not HTML. */
const esc = (s: unknown) => String(s ?? '').replaceAll('<', '&lt;');
const cell = (s: unknown) => esc(s).replaceAll('|', '\\|').replaceAll('\n', ' ');

function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

/** A one-line type for a JSON Schema: `string (date-time)`, `integer 16–1024`, `"a" \| "b"`, `Key[]`. */
export function typeText(s: Json): string {
  if (!s || typeof s !== 'object') return 'any';
  if (s.$ref) return `[${refName(s.$ref)}](#${refName(s.$ref).toLowerCase()})`;
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((v: unknown) => `\`${JSON.stringify(v)}\``).join(' | ');
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return alts.map(typeText).join(' or ');
  if (s.type === 'array') {
    const bounds =
      s.minItems !== undefined || s.maxItems !== undefined
        ? ` (${s.minItems ?? 0}–${s.maxItems ?? '∞'})`
        : '';
    return `${typeText(s.items)}[]${bounds}`;
  }
  if (Array.isArray(s.type)) return s.type.join(' or ');
  if (s.type === 'object') return 'object';
  let t = s.type ?? 'any';
  if (s.format) t += ` (${s.format})`;
  if (s.minimum !== undefined && s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER) {
    t += ` ${s.minimum}–${s.maximum}`;
  } else if (s.minimum !== undefined && s.minimum > Number.MIN_SAFE_INTEGER) t += ` ≥ ${s.minimum}`;
  if (s.pattern) t += `, pattern \`${s.pattern}\``;
  if (s.maxLength !== undefined) t += `, ≤ ${s.maxLength} chars`;
  return t;
}

function fieldRows(schema: Json): string[] {
  const props = schema?.properties ?? {};
  const req: string[] = schema?.required ?? [];
  const rows = Object.entries(props).map(([name, p]: [string, Json]) => {
    const extra = [p.description, p.default !== undefined ? `Default \`${JSON.stringify(p.default)}\`.` : '']
      .filter(Boolean)
      .join(' ');
    return `| \`${name}\` | ${cell(typeText(p))} | ${req.includes(name) ? 'yes' : 'no'} | ${cell(extra)} |`;
  });
  return rows.length ? ['| field | type | required | notes |', '|---|---|---|---|', ...rows] : [];
}

function authText(op: Json): string {
  const schemes: string[] = (op.security ?? []).flatMap((s: Json) => Object.keys(s));
  return schemes.length ? schemes.map((s) => SCHEME_TEXT[s] ?? s).join(', or ') : 'none';
}

function errorCodes(schema: Json): string[] {
  const refs: Json[] = schema?.oneOf ?? (schema ? [schema] : []);
  return refs.map((r) => /Error_(\w+)$/.exec(r.$ref ?? '')?.[1]).filter((c): c is string => !!c);
}

function operationMarkdown(method: string, path: string, op: Json, doc: Json): string[] {
  const out = [
    `## \`${method.toUpperCase()} ${path}\``,
    '',
    `**${esc(op.summary)}.**${op.description ? ` ${esc(op.description)}` : ''}`,
    '',
  ];
  out.push(`- **Auth:** ${authText(op)}`);
  out.push(`- **Operation id:** \`${op.operationId}\``, '');
  const params: Json[] = op.parameters ?? [];
  if (params.length) {
    out.push('| parameter | in | type | required | notes |', '|---|---|---|---|---|');
    for (const p of params) {
      const notes = [p.description, p.schema?.default !== undefined ? `Default \`${p.schema.default}\`.` : '']
        .filter(Boolean)
        .join(' ');
      out.push(
        `| \`${p.name}\` | ${p.in} | ${cell(typeText(p.schema))} | ${p.required ? 'yes' : 'no'} | ${cell(notes)} |`,
      );
    }
    out.push('');
  }
  const body = op.requestBody?.content?.['application/json'];
  if (body) {
    out.push(`**Body** (${op.requestBody.required ? 'required' : 'optional'}): ${typeText(body.schema)}`, '');
    if (body.example !== undefined) out.push('```json', JSON.stringify(body.example), '```', '');
  }
  out.push('**Answers**', '', '| status | meaning | body | headers |', '|---|---|---|---|');
  const errors: string[] = [];
  for (const [status, r] of Object.entries(op.responses) as [string, Json][]) {
    const json = r.content?.['application/json']?.schema;
    const codes = errorCodes(json);
    if (codes.length) {
      for (const code of codes)
        errors.push(
          `| ${status} | \`${code}\` | ${cell(doc.components.schemas[`Error_${code}`]?.description?.replace(/^\d+ \w+: /, ''))} |`,
        );
      if (r.description?.includes('API Gateway'))
        errors.push(
          `| ${status} | — | In AWS, API Gateway's authorizer refuses a request without a valid signature or token itself: \`{"message": …}\`. |`,
        );
      continue;
    }
    const headers = Object.entries(r.headers ?? {})
      .filter(([h]) => h !== 'x-request-id')
      .map(([h]) => `\`${h}\``)
      .join(', ');
    out.push(
      `| ${status} | ${cell(r.description)} | ${json ? cell(typeText(json)) : '—'} | ${headers || '—'} |`,
    );
  }
  out.push('');
  if (errors.length) {
    out.push('**Errors**', '', '| status | code | meaning |', '|---|---|---|', ...errors, '');
    if (Object.values(op.responses).some((r: Json) => r.content?.['image/svg+xml'])) {
      out.push('Image loads get these as an SVG with the same status and `x-avtrz-error: <code>`.', '');
    }
  }
  return out;
}

export function renderApiMarkdown(doc: Json): string {
  const out = [
    '# API reference',
    '',
    '<!-- Generated by `npm run docs:api` from the OpenAPI document (lambdas/openapi). Do not edit by hand. -->',
    '',
    `${doc.info.summary} OpenAPI ${doc.openapi}, served by the API itself at \`GET /v1/openapi.json\`.`,
    '',
    esc(doc.info.description),
    '',
    'Every route may also answer `500 internal_error` or `503 unavailable` (a dependency is down: retry).',
    '',
    '## Routes',
    '',
    '| method | path | auth | what |',
    '|---|---|---|---|',
  ];
  const ops: [string, string, Json][] = [];
  for (const [path, methods] of Object.entries(doc.paths) as [string, Json][]) {
    for (const [method, op] of Object.entries(methods) as [string, Json][]) ops.push([method, path, op]);
  }
  for (const [method, path, op] of ops) {
    const anchor = `${method}-${path}`.toLowerCase().replace(/[^a-z0-9 -]/g, '');
    out.push(
      `| ${method.toUpperCase()} | [\`${path}\`](#${anchor}) | ${cell(authText(op))} | ${cell(op.summary)} |`,
    );
  }
  out.push('');
  for (const [method, path, op] of ops) out.push(...operationMarkdown(method, path, op, doc));

  out.push('## Shapes', '');
  for (const [name, schema] of Object.entries(doc.components.schemas) as [string, Json][]) {
    if (name.startsWith('Error_')) continue;
    out.push(`### ${name}`, '');
    if (schema.description) out.push(esc(schema.description), '');
    const rows = fieldRows(schema);
    if (rows.length) out.push(...rows, '');
    else out.push(`${typeText(schema)}`, '');
  }
  out.push('## Errors', '', 'Body: `{"error":{"code","type","message","param"?,"request_id"}}`.', '');
  out.push('| status | code | type | message |', '|---|---|---|---|');
  for (const [name, schema] of Object.entries(doc.components.schemas) as [string, Json][]) {
    if (!name.startsWith('Error_')) continue;
    const e = schema.properties.error.properties;
    const [status] = schema.description.split(' ');
    out.push(
      `| ${status} | \`${e.code.const}\` | ${e.type.const} | ${cell(schema.description.replace(/^\d+ \w+: /, ''))} |`,
    );
  }
  out.push('', '## Authentication', '');
  for (const [name, s] of Object.entries(doc.components.securitySchemes) as [string, Json][]) {
    out.push(`- **${SCHEME_TEXT[name] ?? name}** (\`${name}\`): ${esc(s.description)}`);
  }
  return `${out.join('\n')}\n`;
}
