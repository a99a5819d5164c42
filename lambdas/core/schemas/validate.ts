/**
 * Schema validation with the catalogue's answer: a value that a schema (zod/mini) refuses is
 * `400 invalid_request` naming the field in `param`, with the message the schema's field carries
 * (every field states its own, in the catalogue's style: "<field> must be …"). One rule, so every
 * handler that validates with a schema answers alike:
 *  - an unknown field wins over everything else (`Unknown field "x". Allowed: a, b.`);
 *  - otherwise the first issue, in the schema's field order;
 *  - `param` is the top-level field of the issue's path, or `rootParam` ("body") for the whole value.
 */
import * as z from 'zod/mini';
import { AvtrzError, invalidParam } from '../errors';

export interface ParseOptions {
  /** the param named when the value as a whole is refused (not an object, nothing to update) */
  rootParam?: string;
}

/** The keys a (strict) object schema allows, for the unknown-field message. */
function allowedKeys(schema: z.core.$ZodType): string[] {
  let s: z.core.$ZodType | undefined = schema;
  // through pipes / transforms / optional wrappers to the object underneath
  for (let i = 0; i < 5 && s; i++) {
    const def = s._zod.def as unknown as {
      shape?: object;
      in?: z.core.$ZodType;
      innerType?: z.core.$ZodType;
    };
    if (def.shape) return Object.keys(def.shape);
    s = def.in ?? def.innerType;
  }
  return [];
}

/** The catalogue error for a refused value (the issues as zod reports them). */
export function issueToError(
  schema: z.core.$ZodType,
  issues: readonly z.core.$ZodIssue[],
  opts: ParseOptions = {},
): AvtrzError {
  const unknown = issues.find((i) => i.code === 'unrecognized_keys') as
    | z.core.$ZodIssueUnrecognizedKeys
    | undefined;
  if (unknown && unknown.path.length === 0) {
    const k = unknown.keys[0];
    return invalidParam(k, `Unknown field "${k}". Allowed: ${allowedKeys(schema).join(', ')}.`);
  }
  const first = issues[0];
  if (!first) return new AvtrzError('invalid_request');
  const top = first.path[0];
  const param = top === undefined ? (opts.rootParam ?? 'body') : String(top);
  return invalidParam(param, first.message);
}

/** The parsed (and normalised) value, or a thrown `400 invalid_request` naming the field. */
export function parseWith<S extends z.core.$ZodType>(
  schema: S,
  value: unknown,
  opts?: ParseOptions,
): z.output<S> {
  const r = z.safeParse(schema, value);
  if (r.success) return r.data;
  throw issueToError(schema, r.error.issues, opts);
}

/**
 * A check that runs one of core's hand-written parsers (which throw the catalogue's
 * `invalid_request`) and reports its message as the schema's issue: a schema built from such
 * checks refuses exactly what the parser refuses, with the same words.
 */
export function coreCheck<T>(parse: (v: T) => unknown) {
  return z.superRefine<T>((v, ctx) => {
    try {
      parse(v);
    } catch (e) {
      if (!(e instanceof AvtrzError)) throw e;
      ctx.addIssue({ code: 'custom', message: e.message, input: v, path: e.param ? [e.param] : [] });
    }
  });
}
