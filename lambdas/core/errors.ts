/**
 * The ONE error catalogue (spec section 5). Both the JSON body and the SVG fallback for image
 * loads are produced from these entries, so status, code and type can never disagree.
 * No AWS imports here.
 */
export const ERROR_CATALOGUE = {
  invalid_request: { status: 400, type: 'request', message: 'The request is invalid.' },
  missing_key: {
    status: 401,
    type: 'auth',
    message:
      'No API key: send it in the x-api-key header or, for publishable keys, the ?key= query parameter.',
  },
  invalid_key: {
    status: 401,
    type: 'auth',
    message: "The API key isn't recognized, is disabled, or has been revoked.",
  },
  unauthorized: {
    status: 401,
    type: 'auth',
    message: 'Sign in again: the bearer token is missing, expired or not valid for this API.',
  },
  domain_blocked: {
    status: 403,
    type: 'auth',
    message: "This domain is not on the key's allow-list. Update Allowed domains in the key's settings.",
  },
  forbidden: { status: 403, type: 'auth', message: 'This credential may not call this route.' },
  plan_limit: {
    status: 403,
    type: 'billing',
    message: "You're over your monthly request quota. Cached redirects keep serving; new lookups stop.",
  },
  not_found: { status: 404, type: 'request', message: 'Not found.' },
  conflict: {
    status: 409,
    type: 'request',
    message: 'The request conflicts with the current state of the resource.',
  },
  method_not_allowed: { status: 405, type: 'request', message: 'Method not allowed on this route.' },
  internal_error: { status: 500, type: 'api', message: 'Something went wrong on our side.' },
  unavailable: { status: 503, type: 'api', message: 'A dependency is unavailable; retry shortly.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
export type ErrorType = (typeof ERROR_CATALOGUE)[ErrorCode]['type'];

export class AvtrzError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly param?: string,
    /** extra response headers (e.g. x-quota-* on plan_limit, allow on 405) */
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? ERROR_CATALOGUE[code].message);
    this.name = 'AvtrzError';
    this.status = ERROR_CATALOGUE[code].status;
    this.type = ERROR_CATALOGUE[code].type;
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; type: ErrorType; message: string; param?: string; request_id: string };
}

export function errorBody(err: AvtrzError, requestId: string): ErrorBody {
  const body: ErrorBody = {
    error: { code: err.code, type: err.type, message: err.message, request_id: requestId },
  };
  if (err.param) body.error.param = err.param;
  return body;
}

/** `400 invalid_request` naming the offending field. */
export function invalidParam(param: string, message: string): AvtrzError {
  return new AvtrzError('invalid_request', message, param);
}

/**
 * Network failures and throttling of a dependency are 503 (retry), not 500. Judged by the
 * error's name and code alone, so no SDK class is needed here.
 */
export function isUnavailable(e: unknown): boolean {
  const err = e as { name?: string; code?: string; $metadata?: unknown; $retryable?: unknown };
  if (!err || typeof err !== 'object') return false;
  const names = [
    'ProvisionedThroughputExceededException',
    'ThrottlingException',
    'RequestLimitExceeded',
    'ServiceUnavailable',
    'InternalServerError',
    'TimeoutError',
    'AbortError',
    'SlowDown',
  ];
  if (err.name && names.includes(err.name)) return true;
  const codes = [
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EPIPE',
    'ENOTFOUND',
    'EAI_AGAIN',
    'UND_ERR_SOCKET',
  ];
  return !!err.code && codes.includes(err.code);
}
