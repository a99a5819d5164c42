/**
 * The MCP server of one request (stateless: built per POST /mcp, gone after it): the three
 * read-only tools over the agent use cases (app/agent.ts). Input schemas are zod shapes the SDK
 * publishes as JSON Schema; what they cannot say (exactly one of linkedin_url / username, what a
 * profile URL looks like) core/ checks, as for the HTTP routes, and answers `invalid_request`.
 *
 * A refusal (over quota, a key that stopped working, a bad parameter) is a tool result with
 * `isError: true` whose text starts with the catalogue code (`plan_limit: …`), with the
 * catalogue's error object as structured content; protocol mistakes stay JSON-RPC errors (the SDK).
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod/mini';
import { type AgentAvatar, agentAvatar, agentAvatars, agentUsage, INLINE_MAX_SIZE } from '../app/agent';
import type { AuthRequest } from '../app/authenticate';
import type { Logger } from '../app/ports';
import { type AvtrzError, errorBody } from '../core/errors';
import { formatField, linkedinUrlField, MAX_ITEMS, sizeField, usernameField } from '../core/schemas/avatar';
import { toAvtrzError } from '../http/handler';
import type { Runtime } from '../runtime';

export const SERVER_INFO = { name: 'avtrz', version: '1.0.0' } as const;

const INSTRUCTIONS =
  "avtrz serves avatar images of LinkedIn profiles from a CDN. get_avatar gives one profile's " +
  'image URL (and the image itself for sizes up to 256), get_avatars up to 100 URLs at once, ' +
  "get_usage this month's request count and quota. Every profile looked up counts as one " +
  'request against the monthly quota; over it, new profiles fail with plan_limit.';

/**
 * One avatar's arguments: the fields of core/schemas/avatar.ts (the OpenAPI document's too), so
 * the tools publish the rules the avatar route checks; `size` a JSON integer here.
 */
const avatarArgs = {
  linkedin_url: z.optional(linkedinUrlField),
  username: z.optional(usernameField),
  size: z.optional(sizeField),
  format: z.optional(
    formatField.check(
      z.meta({
        description: 'The format of a photo; a profile without one is an initials SVG whatever this says.',
      }),
    ),
  ),
};

/** Nothing a tool does changes what the caller sees (counting a request is not an edit). */
const READ_ONLY = { readOnlyHint: true };

/** The catalogue's error as a tool error naming its code. */
function toolError(err: AvtrzError): CallToolResult {
  const { request_id: _id, ...error } = errorBody(err, '').error;
  const param = error.param ? ` (param: ${error.param})` : '';
  return {
    isError: true,
    content: [{ type: 'text', text: `${error.code}: ${error.message}${param}` }],
    structuredContent: { error },
  };
}

/** Run a tool body; any refusal becomes a tool error naming its catalogue code. One log line per call. */
async function tool(log: Logger, name: string, fn: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    const result = await fn();
    log.info('tool', { tool: name });
    return result;
  } catch (e) {
    const err = toAvtrzError(e, log);
    log.info('tool', { tool: name, error: err.code });
    return toolError(err);
  }
}

function avatarResult(a: AgentAvatar): CallToolResult {
  const { image, ...fields } = a;
  const content: CallToolResult['content'] = [{ type: 'text', text: JSON.stringify(fields) }];
  if (image) content.push({ type: 'image', data: image.data, mimeType: image.mimeType });
  return { content, structuredContent: { ...fields, inline_image: !!image } };
}

/** An MCP server whose tools act for the caller of `request` (its x-api-key). */
export function buildServer(rt: Runtime, request: AuthRequest, log: Logger): McpServer {
  const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS });

  server.registerTool(
    'get_avatar',
    {
      title: 'Get an avatar',
      description:
        "The CDN URL of one LinkedIn profile's avatar (by linkedin_url or username), whether it is a photo or generated initials, " +
        `and for sizes up to ${INLINE_MAX_SIZE} the image itself. Counts one request against the quota.`,
      inputSchema: avatarArgs,
      annotations: { title: 'Get an avatar', ...READ_ONLY },
    },
    (args) => tool(log, 'get_avatar', async () => avatarResult(await agentAvatar(rt, request, args))),
  );

  server.registerTool(
    'get_avatars',
    {
      title: 'Get many avatars',
      description:
        `The CDN URLs of 1–${MAX_ITEMS} LinkedIn profiles' avatars, in input order; an item that ` +
        'fails has its own error (its catalogue code) and the others still answer. Each profile ' +
        'counts one request against the quota.',
      inputSchema: {
        items: z.array(z.object(avatarArgs)).check(
          z.minLength(1),
          z.maxLength(MAX_ITEMS),
          z.meta({
            description: 'The profiles, each with linkedin_url or username, and optional size and format',
          }),
        ),
      },
      annotations: { title: 'Get many avatars', ...READ_ONLY },
    },
    ({ items }) =>
      tool(log, 'get_avatars', async () => {
        const results = await agentAvatars(rt, request, items, (e) => {
          const { request_id: _id, ...error } = errorBody(toAvtrzError(e, log), '').error;
          return error;
        });
        return {
          content: [{ type: 'text', text: JSON.stringify({ results }) }],
          structuredContent: { results },
        };
      }),
  );

  server.registerTool(
    'get_usage',
    {
      title: 'Get usage',
      description:
        "This month's request count and monthly quota of the API key's workspace, per key. Not counted.",
      inputSchema: {},
      annotations: { title: 'Get usage', ...READ_ONLY },
    },
    () =>
      tool(log, 'get_usage', async () => {
        const usage = await agentUsage(rt, request);
        return { content: [{ type: 'text', text: JSON.stringify(usage) }], structuredContent: { ...usage } };
      }),
  );

  return server;
}
