/**
 * The error body (spec section 5) as a schema, from the ONE catalogue (core/errors.ts): the
 * OpenAPI document's error components are generated from these.
 */
import * as z from 'zod/mini';
import { ERROR_CATALOGUE, type ErrorCode, type ErrorType } from '../errors';

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
const ERROR_TYPES = [...new Set(ERROR_CODES.map((c) => ERROR_CATALOGUE[c].type))] as [
  ErrorType,
  ...ErrorType[],
];

const fields = <C extends string, T extends string>(code: z.ZodMiniType<C>, type: z.ZodMiniType<T>) => ({
  code,
  type,
  message: z.string().check(z.meta({ description: 'For people; may change. Never an internal detail.' })),
  param: z.optional(
    z.string().check(z.meta({ description: 'invalid_request only: the parameter or body field refused.' })),
  ),
});

/** The error object of a batch item (no request_id: it belongs to the whole answer). */
export const ItemError = z.object(
  fields(z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]), z.enum(ERROR_TYPES)),
);

/** Any catalogue error's body. */
export const ErrorBody = z.object({
  error: z.object({ ...ItemError.shape, request_id: z.string() }),
});

/** The body of one catalogue code: `code` and `type` fixed to its entry. */
export function errorBodyOf(code: ErrorCode) {
  const entry = ERROR_CATALOGUE[code];
  return z
    .object({
      error: z.object({
        ...fields(z.literal(code), z.literal(entry.type)),
        request_id: z.string().check(z.meta({ description: 'Also in the x-request-id header.' })),
      }),
    })
    .check(z.meta({ description: `${entry.status} ${code}: ${entry.message}` }));
}
