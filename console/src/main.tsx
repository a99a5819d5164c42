/**
 * The avtrz console: boot (config.json, the sign-in callback), the signed-in frame and the
 * router. Paths live under /console/ (the host serves index.html for every client route).
 */
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { apiClient } from './api';
import { type ConsoleConfig, loadConfig } from './config';
import { completeSignIn, currentSession, type Session, signIn, signOut } from './oidc';
import { KeyPage } from './pages/key';
import { WorkspacePage } from './pages/workspace';
import { WorkspacesPage } from './pages/workspaces';
import './styles.css';
import { BASE, Link } from './ui';

export const OPERATORS_GROUP = 'avtrz-operators';

type Route =
  | { page: 'workspaces' }
  | { page: 'workspace'; ws: string }
  | { page: 'key'; ws: string; id: string };

export function parseRoute(pathname: string): Route {
  const p = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = p.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'workspaces' && parts[1]) {
    if (parts[2] === 'keys' && parts[3]) return { page: 'key', ws: parts[1], id: parts[3] };
    return { page: 'workspace', ws: parts[1] };
  }
  return { page: 'workspaces' };
}

function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const on = () => {
      setPath(location.pathname);
      window.scrollTo(0, 0);
    };
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  return path;
}

function SignIn({ cfg, message }: { cfg: ConsoleConfig; message?: string }) {
  return (
    <main id="main" class="signin">
      <h1>avtrz console</h1>
      <p>API keys, allowed domains, rotation and usage for your avtrz workspaces.</p>
      {message ? (
        <p class="error" role="alert">
          {message}
        </p>
      ) : null}
      <button type="button" class="primary" onClick={() => signIn(cfg, location.pathname + location.hash)}>
        Sign in
      </button>
      <p class="hint">
        No account? Operators invite users with <code>npx avtrz users invite --email …</code>.
      </p>
    </main>
  );
}

function App({ cfg, initialError }: { cfg: ConsoleConfig; initialError?: string }) {
  const [session, setSession] = useState<Session | undefined>(currentSession);
  const [why, setWhy] = useState(initialError);
  const path = usePath();
  const call = useMemo(
    () =>
      apiClient(
        cfg.apiBase,
        () => session?.accessToken,
        () => {
          sessionStorage.removeItem('avtrz.console.tokens');
          setWhy('Your session has ended. Sign in again.');
          setSession(undefined);
        },
      ),
    [cfg, session],
  );
  if (!session) return <SignIn cfg={cfg} message={why} />;
  const operator = session.groups.includes(OPERATORS_GROUP);
  const route = parseRoute(path);
  return (
    <>
      <a href="#main" class="skip">
        Skip to content
      </a>
      <header class="top">
        <Link to="/" class="brand">
          avtrz console
        </Link>
        <span class="who">
          {session.email ?? 'signed in'}
          {operator ? ' · operator' : ''}
        </span>
        <button type="button" onClick={() => signOut(cfg)}>
          Sign out
        </button>
      </header>
      <main id="main">
        {route.page === 'workspaces' ? <WorkspacesPage call={call} operator={operator} /> : null}
        {route.page === 'workspace' ? (
          <WorkspacePage call={call} ws={route.ws} apiBase={cfg.apiBase} />
        ) : null}
        {route.page === 'key' ? (
          <KeyPage call={call} ws={route.ws} id={route.id} apiBase={cfg.apiBase} />
        ) : null}
      </main>
    </>
  );
}

async function boot(root: HTMLElement): Promise<void> {
  let cfg: ConsoleConfig;
  try {
    cfg = await loadConfig();
  } catch (e) {
    render(
      <main id="main">
        <h1>avtrz console</h1>
        <p class="error" role="alert">
          {(e as Error).message} Redeploy the stack (or restart npm run dev) and reload.
        </p>
      </main>,
      root,
    );
    return;
  }
  let initialError: string | undefined;
  try {
    const back = await completeSignIn(cfg);
    if (back) history.replaceState(null, '', back.startsWith(BASE) ? back : `${BASE}/`);
  } catch (e) {
    initialError = (e as Error).message;
    history.replaceState(null, '', `${BASE}/`);
  }
  render(<App cfg={cfg} initialError={initialError} />, root);
}

const root = document.getElementById('app');
if (root) boot(root);
