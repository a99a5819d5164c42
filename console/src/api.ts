/**
 * The console's calls: the `/v1/console/…` mirror of the management API, with the signed-in
 * user's access token as a bearer. Errors keep the catalogue's code, message and param.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

export interface Workspace {
  id: string;
  name: string;
  monthly_quota: number;
  created_at: string;
}

export type KeyStatus = 'active' | 'expired' | 'revoked';
export interface Key {
  id: string;
  type: 'publishable' | 'secret';
  name: string;
  last4: string;
  allowed_domains: string[];
  status: KeyStatus;
  created_at: string;
  last_used_at?: string | null;
  exposed_at?: string | null;
  expires_at?: string | null;
  revoked_at?: string | null;
}
export interface CreatedKey extends Key {
  key: string;
}
export interface Point {
  time: string;
  count: number;
}
export interface UsageKey {
  id: string;
  name: string;
  last4: string;
  type: string;
  status: KeyStatus;
  used: number;
  hourly: { hour: string; count: number }[];
  /** 5-minute points for the last 48 hours, when asked with ?from=&to= */
  minutely?: Point[];
}
export interface Usage {
  workspace_id: string;
  month: string;
  monthly_quota: number;
  used: number;
  keys: UsageKey[];
}

export type Call = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** `onUnauthorized` runs on a 401 (expired or refused token): the console signs in again. */
export function apiClient(base: string, token: () => string | undefined, onUnauthorized: () => void): Call {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`${base}/v1/console${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token() ?? ''}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'network', `The API at ${base} did not answer. Check your connection and retry.`);
    }
    const json = await res.json().catch(() => ({}));
    if (res.ok) return json as T;
    if (res.status === 401) onUnauthorized();
    const e = json?.error ?? {};
    throw new ApiError(
      res.status,
      e.code ?? 'error',
      e.message ?? `The API answered ${res.status}.`,
      e.param,
    );
  };
}
