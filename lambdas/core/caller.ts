/**
 * Who is calling a management route, and which workspaces they may see (spec section 11). Pure:
 * the claims come from the HTTP API JWT authorizer (`requestContext.authorizer.jwt.claims`), where
 * every value arrives as a string: a list claim such as Cognito's `cognito:groups` as
 * `"[avtrz-operators other]"` (space-separated, in brackets), numbers as their decimal text.
 */
export const OPERATORS_GROUP = 'avtrz-operators';
/** the custom attribute of a user pool member: comma-separated workspace ids */
export const WORKSPACES_CLAIM = 'custom:workspaces';
export const GROUPS_CLAIM = 'cognito:groups';

const WS_ID = /^ws_[0-9A-Za-z]{16}$/;
/** a custom attribute holds at most 2048 characters: about 100 workspace ids */
const MAX_WORKSPACES = 100;

export type Caller =
  /** IAM (SigV4) or the local admin token on /v1/admin, or a user in avtrz-operators: every workspace */
  | { kind: 'operator'; subject: string }
  /** any other signed-in user: only the workspaces of their claim */
  | { kind: 'member'; subject: string; workspaces: readonly string[] };

/**
 * The values of a list claim as the authorizer passes it: a JSON array (a token read directly),
 * API Gateway's `"[a b]"` rendering, or a plain string (one value, or comma/space separated).
 */
export function claimValues(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && x.length > 0);
  if (typeof v !== 'string') return [];
  const s = v.trim();
  const inner = s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
  return inner.split(/[\s,]+/).filter(Boolean);
}

/** The caller a verified token's claims describe. */
export function callerFromClaims(claims: Record<string, unknown>): Caller {
  const subject = typeof claims.sub === 'string' ? claims.sub : 'unknown';
  if (claimValues(claims[GROUPS_CLAIM]).includes(OPERATORS_GROUP)) return { kind: 'operator', subject };
  const workspaces = [...new Set(claimValues(claims[WORKSPACES_CLAIM]).filter((w) => WS_ID.test(w)))];
  return { kind: 'member', subject, workspaces: workspaces.slice(0, MAX_WORKSPACES) };
}

export function mayAccessWorkspace(caller: Caller, workspaceId: string): boolean {
  return caller.kind === 'operator' || caller.workspaces.includes(workspaceId);
}
