/** Workspaces: the list the signed-in user may see, and (operators) a form to create one. */
import { useState } from 'preact/hooks';
import type { Call, Workspace } from '../api';
import { day, num } from '../format';
import { ErrorNote, Link, navigate, useLoad } from '../ui';

interface Page {
  workspaces: Workspace[];
  next_cursor?: string;
}

export function WorkspacesPage({ call, operator }: { call: Call; operator: boolean }) {
  const [more, setMore] = useState<Workspace[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const list = useLoad(
    () =>
      call<Page>('GET', '/workspaces').then((p) => {
        setCursor(p.next_cursor);
        setMore([]);
        return p;
      }),
    [],
  );
  const [moreError, setMoreError] = useState<Error>();
  const all = [...(list.data?.workspaces ?? []), ...more];
  const loadMore = async () => {
    try {
      const p = await call<Page>('GET', `/workspaces?cursor=${encodeURIComponent(cursor ?? '')}`);
      setMore((m) => [...m, ...p.workspaces]);
      setCursor(p.next_cursor);
    } catch (e) {
      setMoreError(e as Error);
    }
  };
  return (
    <>
      <h1>Workspaces</h1>
      <ErrorNote error={list.error} />
      {list.loading && !list.data ? <p aria-busy="true">Loading workspaces…</p> : null}
      {list.data && all.length === 0 ? (
        <p class="empty">
          {operator
            ? 'No workspaces yet. Create the first one below: it holds API keys and a monthly quota.'
            : 'You are not a member of any workspace yet. Ask an operator to invite you with npx avtrz users invite --email <you> --workspace ws_….'}
        </p>
      ) : null}
      {all.length > 0 ? (
        <ul class="cards" aria-label="Workspaces">
          {all.map((w) => (
            <li key={w.id} class="card">
              <Link to={`/workspaces/${w.id}`} class="title">
                {w.name}
              </Link>
              <dl class="facts">
                <dt>Id</dt>
                <dd>
                  <code>{w.id}</code>
                </dd>
                <dt>Monthly quota</dt>
                <dd>{num(w.monthly_quota)}</dd>
                <dt>Created</dt>
                <dd>{day(w.created_at)}</dd>
              </dl>
            </li>
          ))}
        </ul>
      ) : null}
      {cursor ? (
        <button type="button" onClick={loadMore}>
          Load more workspaces
        </button>
      ) : null}
      <ErrorNote error={moreError} />
      {operator ? <CreateWorkspace call={call} /> : null}
    </>
  );
}

function CreateWorkspace({ call }: { call: Call }) {
  const [name, setName] = useState('');
  const [quota, setQuota] = useState('10000');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const w = await call<Workspace>('POST', '/workspaces', { name, monthly_quota: Number(quota) });
      navigate(`/workspaces/${w.id}`);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="create-ws">
      <h2 id="create-ws">Create a workspace</h2>
      <form onSubmit={submit} class="form">
        <label for="ws-name">Name</label>
        <input id="ws-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="ws-quota">Monthly quota (requests)</label>
        <input
          id="ws-quota"
          type="number"
          min={0}
          required
          value={quota}
          onInput={(e) => setQuota(e.currentTarget.value)}
        />
        <button type="submit" disabled={busy}>
          Create workspace
        </button>
        <ErrorNote error={error} />
      </form>
    </section>
  );
}
