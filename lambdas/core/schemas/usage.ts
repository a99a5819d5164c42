/** The usage query and answer (spec section 7) as schemas, for the OpenAPI document and the MCP tool. */
import * as z from 'zod/mini';
import { MONTH_RE } from '../usage';
import { keyId, workspaceId } from './admin';

export const monthField = z
  .string()
  .check(
    z.regex(MONTH_RE),
    z.meta({ description: 'YYYY-MM (UTC); default: the current month.', examples: ['2026-11'] }),
  );

const instantField = (what: string) =>
  z.string().check(
    z.meta({
      format: 'date-time',
      description: `${what} of the 5-minute window (ISO 8601 with a zone); clamped to the last 48 hours.`,
      examples: ['2026-11-28T14:05:00Z'],
    }),
  );

export const UsageQuery = z.object({
  month: z.optional(monthField),
  from: z.optional(instantField('Start')),
  to: z.optional(instantField('End')),
});

const minuteCount = z.object({
  time: z.string().check(z.meta({ format: 'date-time', examples: ['2026-11-28T14:05:00Z'] })),
  count: z.int(),
});

const hourCount = z.object({
  hour: z.string().check(z.meta({ format: 'date-time', examples: ['2026-11-28T14:00:00Z'] })),
  count: z.int(),
});

export const UsageKey = z.object({
  id: keyId,
  type: z.enum(['publishable', 'secret']),
  name: z.string(),
  last4: z.string(),
  status: z.enum(['active', 'expired', 'revoked']),
  used: z.int(),
  hourly: z.array(hourCount).check(z.meta({ description: 'Requests per UTC hour, ascending.' })),
  minutely: z.optional(
    z
      .array(minuteCount)
      .check(z.meta({ description: '5-minute points of the asked window (ascending); only with from/to.' })),
  ),
  blocked: z.optional(
    z
      .array(z.object({ host: z.string(), count: z.int(), last_seen: z.string() }))
      .check(z.meta({ description: 'Requests refused as domain_blocked, by refused host; only when any.' })),
  ),
  blocked_hourly: z.optional(z.array(hourCount)),
});

export const UsageResponse = z.object({
  workspace_id: workspaceId,
  month: z.string().check(z.regex(MONTH_RE)),
  monthly_quota: z.int(),
  used: z.int(),
  shards: z.optional(
    z.int().check(z.meta({ description: 'Budget shards the counter uses (docs/scaling.md).' })),
  ),
  minutely_window: z.optional(z.object({ from: z.string(), to: z.string() })),
  keys: z.array(UsageKey),
});
