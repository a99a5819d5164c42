/**
 * POST /mcp's envelope (spec section 12) as schemas, for the OpenAPI document: a JSON-RPC 2.0
 * message (or a batch of them) in, a JSON-RPC answer out. The messages themselves are the Model
 * Context Protocol's (the SDK validates them: lambdas/mcp/); what the tools take is listed by
 * `tools/list` from core/schemas/avatar.ts's fields.
 */
import * as z from 'zod/mini';

const id = z.union([z.string(), z.number()]);

export const JsonRpcMessage = z
  .looseObject({
    jsonrpc: z.literal('2.0'),
    id: z.optional(id),
    method: z.optional(z.string().check(z.meta({ examples: ['initialize', 'tools/list', 'tools/call'] }))),
    params: z.optional(z.record(z.string(), z.unknown())),
    result: z.optional(z.unknown()),
    error: z.optional(z.unknown()),
  })
  .check(z.meta({ description: 'A JSON-RPC 2.0 request, notification or response of MCP.' }));

export const McpRequest = z.union([JsonRpcMessage, z.array(JsonRpcMessage)]);

const JsonRpcAnswer = z.looseObject({
  jsonrpc: z.literal('2.0'),
  id: z.union([id, z.null()]),
  result: z.optional(z.record(z.string(), z.unknown())),
  error: z.optional(
    z.looseObject({
      code: z.int().check(
        z.meta({
          description: '-32700 parse error, -32600 invalid request, -32601 unknown method, -32602 bad params',
        }),
      ),
      message: z.string(),
      data: z.optional(z.unknown()),
    }),
  ),
});

export const McpResponse = z.union([JsonRpcAnswer, z.array(JsonRpcAnswer)]);
