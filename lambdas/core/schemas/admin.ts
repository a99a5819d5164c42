/**
 * Management API shapes (spec section 8): the request bodies the admin handlers validate with
 * (through parseWith: `400 invalid_request` naming the field) and the answers they give. The
 * OpenAPI document (lambdas/openapi) is generated from these same schemas.
 */
import * as z from 'zod/mini';
import { normaliseDomainEntry } from '../domains';
import { MAX_SHARDS } from '../quota';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../workspace-page';

export const NAME_MAX = 100;
export const MAX_DOMAINS = 50;
export const MAX_QUOTA = 1_000_000_000_000;
export const DEFAULT_OVERLAP_SECONDS = 86_400;
/** one year: a longer overlap is almost certainly a unit mistake */
export const MAX_OVERLAP_SECONDS = 31_536_000;
export const WS_ID_RE = /^ws_[0-9A-Za-z]{16}$/;
export const KEY_ID_RE = /^key_[0-9A-Za-z]{16}$/;

/**
 * Control characters (C0, DEL, C1) and the bidirectional controls (ALM, LRM, RLM, the embeddings
 * and overrides U+202A–U+202E, the isolates U+2066–U+2069): a name is shown to operators in the
 * CLI and the console, and a bidi control there reorders what is displayed around it (spoofing).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const required = (param: string, otherwise: string) => (iss: { input?: unknown }) =>
  iss.input === undefined ? `${param} is required.` : otherwise;

/** A display name: trimmed, 1–100 characters, no control or bidi characters. */
export const nameField = (param = 'name') =>
  z.string({ error: required(param, `${param} must be a string.`) }).check(
    z.trim(),
    z.minLength(1, { error: `${param} must not be empty.` }),
    z.maxLength(NAME_MAX, { error: `${param} must be at most ${NAME_MAX} characters.` }),
    z.refine((s) => !CONTROL_CHARS.test(s), {
      error: `${param} must not contain control characters (including bidirectional controls such as U+202E).`,
    }),
    z.meta({ description: 'Shown to operators; trimmed.', examples: ['Acme'] }),
  );

const quotaMessage = `monthly_quota must be an integer between 0 and ${MAX_QUOTA}.`;
export const monthlyQuotaField = z
  .int({ error: required('monthly_quota', quotaMessage) })
  .check(
    z.gte(0, { error: quotaMessage }),
    z.lte(MAX_QUOTA, { error: quotaMessage }),
    z.meta({ description: 'Requests per calendar month (UTC).', examples: [10000] }),
  );

const domainEntryMessage = (i: unknown) =>
  `allowed_domains[${i}] is not a valid entry: use a host such as example.com, *.example.com, localhost or 127.0.0.1, optionally with a port; no scheme or path.`;

/** Validates one allow-list entry; returns its normalised form or undefined when invalid. */
export type DomainEntryValidator = (entry: string) => string | undefined;

/** The allow-list: entries normalised (core/domains.ts) and de-duplicated; the input is never echoed. */
export const allowedDomainsField = (validate: DomainEntryValidator = normaliseDomainEntry) =>
  z.pipe(
    z
      .array(
        z.string({ error: (iss) => domainEntryMessage(iss.path?.[1]) }).check(
          z.refine((e) => validate(e) !== undefined, {
            error: (iss) => domainEntryMessage(iss.path?.[1]),
          }),
        ),
        { error: 'allowed_domains must be an array of strings.' },
      )
      .check(
        z.maxLength(MAX_DOMAINS, { error: `allowed_domains may hold at most ${MAX_DOMAINS} entries.` }),
        z.meta({
          description:
            'Hosts allowed to use the key (Origin / Referer): example.com, *.example.com (subdomains), localhost, 127.0.0.1, optionally with a port.',
          examples: [['app.example.com', 'localhost:5173']],
        }),
      ),
    z.transform((list: string[]) => [...new Set(list.map((e) => validate(e) as string))]),
  );

export const keyTypeField = z.enum(['publishable', 'secret'], {
  error: (iss) =>
    iss.input === undefined
      ? 'type is required ("publishable" or "secret").'
      : 'type must be "publishable" or "secret".',
});

const BODY_OBJECT = { error: 'The body must be a JSON object.' };

export const WorkspaceCreateBody = z.strictObject(
  { name: nameField(), monthly_quota: monthlyQuotaField },
  BODY_OBJECT,
);

const shardsMessage = `shards must be an integer between 1 and ${MAX_SHARDS}.`;
export const shardsField = z.int({ error: required('shards', shardsMessage) }).check(
  z.gte(1, { error: shardsMessage }),
  z.lte(MAX_SHARDS, { error: shardsMessage }),
  z.meta({
    description: 'Budget shards the quota counter spreads the month over (operators; docs/scaling.md).',
    examples: [4],
  }),
);

export const WorkspaceUpdateBody = z
  .strictObject(
    {
      name: z.optional(nameField()),
      monthly_quota: z.optional(monthlyQuotaField),
      shards: z.optional(shardsField),
    },
    BODY_OBJECT,
  )
  .check(
    z.refine((b) => b.name !== undefined || b.monthly_quota !== undefined || b.shards !== undefined, {
      error: 'Nothing to update: send name, monthly_quota and/or shards.',
    }),
  );

export const keyCreateBody = (validate?: DomainEntryValidator) =>
  z.strictObject(
    { type: keyTypeField, name: nameField(), allowed_domains: z.optional(allowedDomainsField(validate)) },
    BODY_OBJECT,
  );
export const KeyCreateBody = keyCreateBody();

export const keyUpdateBody = (validate?: DomainEntryValidator) =>
  z
    .strictObject(
      { name: z.optional(nameField()), allowed_domains: z.optional(allowedDomainsField(validate)) },
      BODY_OBJECT,
    )
    .check(
      z.refine((b) => b.name !== undefined || b.allowed_domains !== undefined, {
        error: 'Nothing to update: send name and/or allowed_domains.',
      }),
    );
export const KeyUpdateBody = keyUpdateBody();

const overlapMessage = `overlap_seconds must be an integer between 0 and ${MAX_OVERLAP_SECONDS} (0 = revoke the old key now).`;
export const KeyRollBody = z.strictObject(
  {
    overlap_seconds: z.optional(
      z
        .int({ error: overlapMessage })
        .check(
          z.gte(0, { error: overlapMessage }),
          z.lte(MAX_OVERLAP_SECONDS, { error: overlapMessage }),
          z.meta({ description: 'How long the old key keeps working (default one day; 0 = revoke it now).' }),
        ),
    ),
  },
  BODY_OBJECT,
);

/* ---- answers ---- */

const isoTime = z.string().check(z.meta({ format: 'date-time', examples: ['2026-11-28T14:00:00.000Z'] }));
const nullableTime = z.nullable(isoTime);
export const workspaceId = z.string().check(z.regex(WS_ID_RE), z.meta({ examples: ['ws_0123456789abcdef'] }));
export const keyId = z.string().check(z.regex(KEY_ID_RE), z.meta({ examples: ['key_0123456789abcdef'] }));
const keyStatus = z.enum(['active', 'expired', 'revoked']);

export const Workspace = z.object({
  id: workspaceId,
  name: z.string(),
  monthly_quota: z.int(),
  shards: z.optional(z.int().check(z.meta({ description: 'Only once an operator set it; absent = 1.' }))),
  created_at: isoTime,
  updated_at: z.optional(isoTime),
});

export const WorkspaceUpdated = z.extend(Workspace, {
  monthly_quota_applies_by: z.optional(
    isoTime.check(
      z.meta({ description: 'Only when monthly_quota changed: when every avatar request sees it.' }),
    ),
  ),
  monthly_quota_applies_within_seconds: z.optional(z.int()),
});

/** The key as every management answer shows it: never the key, never its hash. */
export const Key = z.object({
  id: keyId,
  workspace_id: workspaceId,
  type: z.enum(['publishable', 'secret']),
  name: z.string(),
  last4: z.string(),
  allowed_domains: z.array(z.string()),
  status: keyStatus,
  created_at: isoTime,
  exposed_at: nullableTime,
  expires_at: nullableTime,
  revoked_at: nullableTime,
  last_used_at: z.optional(nullableTime),
});

/** The create / roll answer: the only time the full key is shown. */
export const CreatedKey = z.object({
  id: keyId,
  workspace_id: workspaceId,
  type: z.enum(['publishable', 'secret']),
  name: z.string(),
  key: z
    .string()
    .check(
      z.regex(/^(pk|sk)_live_[0-9A-Za-z]{38}$/),
      z.meta({ description: 'The full key: shown only in this answer.' }),
    ),
  last4: z.string(),
  allowed_domains: z.array(z.string()),
  status: z.literal('active'),
  created_at: isoTime,
});

export const RolledKey = z.extend(CreatedKey, { previous: Key });
export const KeyList = z.object({ keys: z.array(Key) });

/** `GET …/workspaces`: checked by core/workspace-page.ts (parseWorkspacePageQuery), documented here. */
export const WorkspacePageQuery = z.object({
  limit: z.optional(
    z
      .int()
      .check(
        z.gte(1),
        z.lte(MAX_PAGE_SIZE),
        z.meta({ description: 'Workspaces per page.', default: DEFAULT_PAGE_SIZE }),
      ),
  ),
  cursor: z.optional(
    z
      .string()
      .check(
        z.regex(/^[A-Za-z0-9_-]{1,200}$/),
        z.meta({ description: 'The next_cursor of the previous page.' }),
      ),
  ),
});

export const WorkspacePage = z.object({
  workspaces: z.array(Workspace).check(z.meta({ description: 'Newest first.' })),
  next_cursor: z.optional(z.string().check(z.meta({ description: 'Only when there is a next page.' }))),
});
