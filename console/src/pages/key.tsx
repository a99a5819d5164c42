/** One key: allowed domains (editor + tester), roll with an overlap, revoke, and its traffic. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Call, type CreatedKey, type Key } from '../api';
import { maskedKey, relative } from '../format';
import { wouldAllow } from '../tester';
import { ErrorNote, Link, useLoad } from '../ui';
import { KeyFacts, ShownOnce, UsageSection, useUsage } from './workspace';

export function KeyPage(props: { call: Call; ws: string; id: string; apiBase: string }) {
  const { call, ws, id } = props;
  const keys = useLoad(() => call<{ keys: Key[] }>('GET', `/workspaces/${ws}/keys`), [ws]);
  const usage = useUsage(call, ws);
  const [rolled, setRolled] = useState<{ next: CreatedKey; previous: Key }>();
  const reload = () => {
    keys.reload();
    usage.reload();
  };
  useEffect(() => {
    if (location.hash === '#roll' && keys.data) document.getElementById('roll')?.scrollIntoView();
  }, [keys.data]);
  const k = keys.data?.keys.find((x) => x.id === id);
  const crumbs = (
    <nav aria-label="Breadcrumb" class="crumbs">
      <Link to="/">Workspaces</Link> / <Link to={`/workspaces/${ws}`}>Workspace</Link> /{' '}
      <span>{k?.name ?? 'Key'}</span>
    </nav>
  );
  if (keys.error) {
    return (
      <>
        {crumbs}
        <ErrorNote error={keys.error} />
      </>
    );
  }
  if (!keys.data) return <p aria-busy="true">Loading key…</p>;
  if (!k) {
    return (
      <>
        {crumbs}
        <h1>Key not found</h1>
        <p class="empty">
          This workspace has no key {id}. <Link to={`/workspaces/${ws}`}>See its keys</Link>.
        </p>
      </>
    );
  }
  const pair = rolled ? [rolled.previous.id, rolled.next.id] : [k.id];
  return (
    <>
      {crumbs}
      <h1>{k.name}</h1>
      {k.exposed_at && k.status === 'active' ? (
        <p class="warn" role="status">
          Exposed {relative(k.exposed_at)}: this key was sent in a URL query string. Roll it below and revoke
          this one once traffic has moved.
        </p>
      ) : null}
      <KeyFacts k={k} />
      {k.status === 'active' ? (
        <>
          <DomainsEditor call={call} ws={ws} k={k} onSaved={keys.reload} />
          <Tester k={k} />
          <Roll
            call={call}
            ws={ws}
            k={k}
            onRolled={(r) => {
              setRolled(r);
              reload();
            }}
          />
        </>
      ) : null}
      {rolled ? <RollResult rolled={rolled} keys={keys.data.keys} apiBase={props.apiBase} ws={ws} /> : null}
      <UsageSection
        call={call}
        ws={ws}
        usage={usage}
        keyIds={pair}
        caption={rolled ? 'Old and new key' : `Requests with ${k.name}`}
      />
      {k.status !== 'revoked' ? <Revoke call={call} ws={ws} k={k} onRevoked={reload} /> : null}
    </>
  );
}

/** The API's message for entry i, e.g. "allowed_domains[2] is not a valid entry: …". */
function entryIndex(e: unknown): number | undefined {
  if (!(e instanceof ApiError) || e.param !== 'allowed_domains') return undefined;
  const m = /allowed_domains\[(\d+)\]/.exec(e.message);
  return m ? Number(m[1]) : undefined;
}

function DomainsEditor(props: { call: Call; ws: string; k: Key; onSaved: () => void }) {
  const [entries, setEntries] = useState<string[]>(
    props.k.allowed_domains.length ? props.k.allowed_domains : [''],
  );
  const [error, setError] = useState<Error>();
  const [saved, setSaved] = useState('');
  const at = entryIndex(error);
  const set = (i: number, v: string) => setEntries((es) => es.map((x, j) => (j === i ? v : x)));
  const save = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setSaved('');
    try {
      const list = entries.map((x) => x.trim()).filter(Boolean);
      await props.call('PATCH', `/workspaces/${props.ws}/keys/${props.k.id}`, { allowed_domains: list });
      setEntries(list.length ? list : ['']);
      setSaved('Saved. It takes effect within the key cache time (30 s by default).');
      props.onSaved();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section aria-labelledby="domains-h">
      <h2 id="domains-h">Allowed domains</h2>
      <p class="hint">
        example.com (that host), *.example.com (its subdomains), localhost or 127.0.0.1; optionally :port. No
        scheme, no path.
      </p>
      <form onSubmit={save} class="form">
        <ul class="entries">
          {entries.map((v, i) => (
            <li key={i}>
              <div class="copy-row">
                <input
                  id={`domain-${i}`}
                  aria-label={`Allowed domain ${i + 1}`}
                  value={v}
                  aria-invalid={at === i}
                  aria-describedby={at === i ? 'domain-error' : undefined}
                  onInput={(e) => set(i, e.currentTarget.value)}
                />
                <button
                  type="button"
                  aria-label={`Remove allowed domain ${i + 1}`}
                  onClick={() => setEntries((es) => es.filter((_, j) => j !== i))}
                >
                  Remove
                </button>
              </div>
              {at === i ? <ErrorNote error={error} id="domain-error" /> : null}
            </li>
          ))}
        </ul>
        <div class="toolbar">
          <button type="button" onClick={() => setEntries((es) => [...es, ''])}>
            Add a domain
          </button>
          <button type="submit">Save allowed domains</button>
        </div>
        {at === undefined ? <ErrorNote error={error} /> : null}
        <span class="hint" aria-live="polite">
          {saved}
        </span>
      </form>
    </section>
  );
}

function Tester({ k }: { k: Key }) {
  const [url, setUrl] = useState('https://app.example.com');
  const v = url.trim() ? wouldAllow(k.type, k.allowed_domains, url) : undefined;
  return (
    <section aria-labelledby="tester-h">
      <h2 id="tester-h">Would this page be allowed?</h2>
      <label for="tester-url">Page URL</label>
      <input id="tester-url" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
      <p id="tester-verdict" class={v?.allowed ? 'ok' : 'error'} aria-live="polite">
        {v === undefined
          ? 'Type the address of a page that will show the avatar.'
          : v.allowed
            ? `Allowed: an <img> on this page may use ${k.name} (saved list).`
            : `Blocked (403 domain_blocked): ${v.message}`}
      </p>
    </section>
  );
}

const OVERLAPS: [string, number][] = [
  ['Now', 0],
  ['1 h', 3600],
  ['24 h', 86400],
  ['7 d', 7 * 86400],
];

function Roll(props: {
  call: Call;
  ws: string;
  k: Key;
  onRolled: (r: { next: CreatedKey; previous: Key }) => void;
}) {
  const [choice, setChoice] = useState('86400');
  const [custom, setCustom] = useState('2');
  const [error, setError] = useState<Error>();
  const seconds = choice === 'custom' ? Math.round(Number(custom) * 3600) : Number(choice);
  const roll = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      const r = await props.call<CreatedKey & { previous: Key }>(
        'POST',
        `/workspaces/${props.ws}/keys/${props.k.id}/roll`,
        { overlap_seconds: seconds },
      );
      const { previous, ...next } = r;
      props.onRolled({ next, previous });
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section aria-labelledby="roll-h" id="roll">
      <h2 id="roll-h">Roll this key</h2>
      <p class="hint">
        A new key with the same type, name and allowed domains; this one keeps working for the overlap, then
        expires. Deploy the new key, watch the chart move to it, then revoke this one.
      </p>
      <form class="form" onSubmit={roll}>
        <fieldset class="seg">
          <legend>Overlap (old key keeps working for)</legend>
          {OVERLAPS.map(([label, s]) => (
            <label key={s}>
              <input
                type="radio"
                name="overlap"
                value={String(s)}
                checked={choice === String(s)}
                onChange={() => setChoice(String(s))}
              />
              {label}
            </label>
          ))}
          <label>
            <input
              type="radio"
              name="overlap"
              value="custom"
              checked={choice === 'custom'}
              onChange={() => setChoice('custom')}
            />
            Custom
          </label>
        </fieldset>
        {choice === 'custom' ? (
          <>
            <label for="overlap-hours">Custom overlap (hours)</label>
            <input
              id="overlap-hours"
              type="number"
              min={0}
              step="any"
              value={custom}
              onInput={(e) => setCustom(e.currentTarget.value)}
            />
          </>
        ) : null}
        <button type="submit">Roll {props.k.name}</button>
        <ErrorNote error={error} />
      </form>
    </section>
  );
}

function RollResult(props: {
  rolled: { next: CreatedKey; previous: Key };
  keys: Key[];
  apiBase: string;
  ws: string;
}) {
  const prev = props.keys.find((x) => x.id === props.rolled.previous.id) ?? props.rolled.previous;
  return (
    <section aria-labelledby="rolled-h">
      <h2 id="rolled-h">Rolled: old and new key</h2>
      <div class="pair">
        <div class="card" data-role="old">
          <h3>Old: {maskedKey(prev.type, prev.last4)}</h3>
          <p>
            {prev.status === 'active' && prev.expires_at
              ? `Keeps working until ${prev.expires_at.replace('T', ' ').slice(0, 16)} UTC (${relative(prev.expires_at)}).`
              : `Status: ${prev.status}.`}
          </p>
          <Link to={`/workspaces/${props.ws}/keys/${prev.id}`}>Manage old key</Link>
        </div>
        <div class="card" data-role="new">
          <h3>New: {maskedKey(props.rolled.next.type, props.rolled.next.last4)}</h3>
          <ShownOnce k={props.rolled.next} apiBase={props.apiBase} />
          <Link to={`/workspaces/${props.ws}/keys/${props.rolled.next.id}`}>Manage new key</Link>
        </div>
      </div>
    </section>
  );
}

function Revoke(props: { call: Call; ws: string; k: Key; onRevoked: () => void }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<Error>();
  const { k } = props;
  const label = `${k.name} (${maskedKey(k.type, k.last4)})`;
  const revoke = async () => {
    setError(undefined);
    try {
      await props.call('DELETE', `/workspaces/${props.ws}/keys/${k.id}`);
      setAsking(false);
      props.onRevoked();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section aria-labelledby="revoke-h">
      <h2 id="revoke-h">Revoke</h2>
      {asking ? (
        <div role="alertdialog" aria-labelledby="revoke-q" class="confirm">
          <p id="revoke-q">
            Revoke {label}? Every page and server using it gets 401 invalid_key within the key cache time.
            This cannot be undone.
          </p>
          <div class="toolbar">
            <button type="button" class="danger" onClick={revoke}>
              Revoke {k.name}
            </button>
            <button type="button" onClick={() => setAsking(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <button type="button" class="danger" onClick={() => setAsking(true)}>
          Revoke…
        </button>
      )}
      <ErrorNote error={error} />
    </section>
  );
}
