/**
 * The avatar parameters and answers (spec sections 3 and 6) as schemas: the OpenAPI document and
 * the MCP tools are generated from them. The values are checked by core/avatar-params.ts (the
 * avatar function's hot path carries no schema library); these schemas describe the same rules
 * from the same constants, and `AvatarItemCheck` runs those functions, so a schema consumer
 * (the batch, an MCP tool) refuses exactly what the avatar route refuses, with the same words.
 * test/unit/core/schemas/avatar.test.ts holds the documented shapes to the checks.
 */
import * as z from 'zod/mini';
import { parseAvatarItem } from '../avatar-params';
import { MAX_INPUT } from '../profile';
import { DEFAULT_FORMAT, DEFAULT_SIZE, FALLBACKS, FORMATS, MAX_SIZE, MIN_SIZE, SIZES } from '../size';
import { ItemError } from './errors';
import { coreCheck } from './validate';

export const MAX_ITEMS = 100;

// an empty value counts as absent (`?linkedin_url=&username=alex`), so no minLength
export const linkedinUrlField = z.string().check(
  z.maxLength(MAX_INPUT),
  z.meta({
    description:
      'A LinkedIn profile URL: linkedin.com/in/<slug>, with or without scheme, www./m./country subdomain, trailing slash, query or URL-encoding. Normalised to linkedin.com/in/<slug> (lower-cased); never fetched. Exactly one of linkedin_url and username.',
    examples: ['https://www.linkedin.com/in/alex-rivera/'],
  }),
);

export const usernameField = z.string().check(
  z.maxLength(MAX_INPUT),
  z.meta({
    description:
      'The profile name after /in/ (letters, digits, "-" and "_"; at most 100 characters once decoded), normalised like the slug of a linkedin_url. Exactly one of linkedin_url and username.',
    examples: ['alex-rivera'],
  }),
);

export const sizeField = z.int().check(
  z.gte(MIN_SIZE),
  z.lte(MAX_SIZE),
  z.meta({
    description: `Pixels, ${MIN_SIZE}–${MAX_SIZE}; snapped up to the nearest of ${SIZES.join(', ')}.`,
    default: DEFAULT_SIZE,
    examples: [128],
  }),
);

export const formatField = z.enum(FORMATS).check(z.meta({ default: DEFAULT_FORMAT }));

export const fallbackField = z.enum(FALLBACKS).check(
  z.meta({
    description:
      'initials: redirect to a generated initials SVG when no photo exists; 404: answer 404 not_found.',
    default: 'initials',
  }),
);

/** One avatar's parameters, as a batch item or a tool's input (size may also be a numeric string). */
export const AvatarItem = z.object({
  linkedin_url: z.optional(linkedinUrlField),
  username: z.optional(usernameField),
  size: z.optional(
    z.union([
      sizeField,
      z.string().check(z.regex(/^\d{1,4}$/), z.meta({ description: 'The same size as a numeric string.' })),
    ]),
  ),
  format: z.optional(formatField),
});

/**
 * AvatarItem that refuses what the avatar route refuses (core/avatar-params.ts), naming the
 * parameter: use it with parseWith where a caller is answered for one item.
 */
export const AvatarItemCheck = z
  .looseObject({})
  .check(coreCheck((v: Record<string, unknown>) => parseAvatarItem(v)));

/** `GET /v1/avatar`'s query: every property is one query parameter of the OpenAPI operation. */
export const AvatarQuery = z.object({
  linkedin_url: z.optional(linkedinUrlField),
  username: z.optional(usernameField),
  size: z.optional(sizeField),
  format: z.optional(formatField),
  fallback: z.optional(fallbackField),
  key: z.optional(
    z.string().check(
      z.meta({
        description:
          'A publishable key (pk_live_…), for <img> tags. Secret keys are refused here: send them in x-api-key.',
        examples: ['pk_live_…'],
      }),
    ),
  ),
  debug: z.optional(
    z.literal('1').check(z.meta({ description: 'Answer errors as JSON even for image loads.' })),
  ),
});

const itemsMessage = `items must be an array of 1 to ${MAX_ITEMS} objects.`;

/**
 * The batch body. An item that does not match AvatarItem is answered in its own result, not
 * refused with the batch (`catch` passes it through as sent; the generator documents AvatarItem).
 */
export const BatchBody = z.object(
  {
    items: z
      .array(
        z.catch(AvatarItem, (ctx) => ctx.input as z.infer<typeof AvatarItem>),
        { error: itemsMessage },
      )
      .check(z.minLength(1, { error: itemsMessage }), z.maxLength(MAX_ITEMS, { error: itemsMessage })),
  },
  { error: itemsMessage },
);

/* ---- answers ---- */

const echoed = {
  linkedin_url: z.optional(
    z.unknown().check(z.meta({ description: 'As sent (null when the item named no profile).' })),
  ),
  username: z.optional(z.unknown().check(z.meta({ description: 'As sent.' }))),
};

export const BatchResult = z.union([
  z.object({
    ...echoed,
    status: z.literal('ok'),
    url: z.url().check(z.meta({ description: 'The CDN URL of the avatar (photo or initials).' })),
  }),
  z.object({ ...echoed, status: z.literal('error'), error: ItemError }),
]);

export const BatchResponse = z.object({
  results: z.array(BatchResult).check(z.meta({ description: 'One per item, in input order.' })),
});
