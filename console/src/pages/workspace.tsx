/** One workspace: rename and quota, the month-to-date gauge, its keys, a new key, the usage chart. */
import { useEffect, useState } from 'preact/hooks';
import type { Call, CreatedKey, Key, Usage, Workspace } from '../api';
import { UsageChart } from '../chart';
import { day, maskedKey, nextMonthStart, num, relative } from '../format';
import type { Grain } from '../series';
import { CopyField, ErrorNote, Link, useLoad } from '../ui';

export const DEMO_PROFILE = 'linkedin.com/in/alex-rivera';

/** Both views of the chart: the month (hourly) and the last 48 hours (5-minute points). */
export function useUsage(call: Call, ws: string) {
  return useLoad(async () => {
    const now = new Date();
    const from = new Date(now.getTime() - 48 * 3600 * 1000).toISOString();
    const [month, recent] = await Promise.all([
      call<Usage>('GET', `/workspaces/${ws}/usage`),
      call<Usage>(
        'GET',
        `/workspaces/${ws}/usage?from=${encodeURIComponent(from)}&to=${encodeURIComponent(now.toISOString())}`,
      ),
    ]);
    return { month, recent };
  }, [ws]);
}

export function UsageSection(props: {
  call: Call;
  ws: string;
  keyIds?: string[];
  caption: string;
  usage: ReturnType<typeof useUsage>;
}) {
  const [grain, setGrain] = useState<Grain>('5min');
  const { usage } = props;
  // the chart follows traffic while the page is open (a rotation's switch-over takes minutes)
  useEffect(() => {
    const t = setInterval(() => document.visibilityState === 'visible' && usage.reload(), 60_000);
    return () => clearInterval(t);
  }, [usage.reload]);
  const data = grain === 'hour' ? usage.data?.month : usage.data?.recent;
  return (
    <section aria-labelledby="usage-h">
      <h2 id="usage-h">Usage</h2>
      <div class="toolbar">
        <fieldset class="seg">
          <legend class="sr-only">Period</legend>
          <label>
            <input type="radio" name="grain" checked={grain === '5min'} onChange={() => setGrain('5min')} />
            Last 48 h (5 min)
          </label>
          <label>
            <input type="radio" name="grain" checked={grain === 'hour'} onChange={() => setGrain('hour')} />
            This month (hourly)
          </label>
        </fieldset>
        <button type="button" onClick={usage.reload} disabled={usage.loading}>
          Refresh usage
        </button>
      </div>
      <ErrorNote error={usage.error} />
      {data ? (
        <UsageChart usage={data} grain={grain} keyIds={props.keyIds} caption={props.caption} />
      ) : (
        <p aria-busy="true">Loading usage…</p>
      )}
    </section>
  );
}

export function WorkspacePage({ call, ws, apiBase }: { call: Call; ws: string; apiBase: string }) {
  const workspace = useLoad(() => call<Workspace>('GET', `/workspaces/${ws}`), [ws]);
  const keys = useLoad(() => call<{ keys: Key[] }>('GET', `/workspaces/${ws}/keys`), [ws]);
  const usage = useUsage(call, ws);
  if (workspace.error) {
    return (
      <>
        <h1>Workspace</h1>
        <ErrorNote error={workspace.error} />
        <Link to="/">Back to workspaces</Link>
      </>
    );
  }
  const w = workspace.data;
  if (!w) return <p aria-busy="true">Loading workspace…</p>;
  const used = usage.data?.month.used;
  return (
    <>
      <nav aria-label="Breadcrumb" class="crumbs">
        <Link to="/">Workspaces</Link> / <span>{w.name}</span>
      </nav>
      <h1>{w.name}</h1>
      <p class="sub">
        <code>{w.id}</code> · created {day(w.created_at)}
      </p>
      <section aria-labelledby="quota-h">
        <h2 id="quota-h">Quota</h2>
        <QuotaGauge used={used} quota={w.monthly_quota} />
      </section>
      <Settings call={call} w={w} onSaved={workspace.reload} />
      <section aria-labelledby="keys-h">
        <h2 id="keys-h">API keys</h2>
        <ErrorNote error={keys.error} />
        <KeyList ws={ws} keys={keys.data?.keys} />
        <CreateKey
          call={call}
          ws={ws}
          apiBase={apiBase}
          onCreated={() => {
            keys.reload();
            usage.reload();
          }}
        />
      </section>
      <UsageSection call={call} ws={ws} usage={usage} caption="Requests per key" />
    </>
  );
}

function QuotaGauge({ used, quota }: { used?: number; quota: number }) {
  const reset = nextMonthStart();
  const pct = used === undefined || quota === 0 ? 0 : Math.min(100, Math.round((used / quota) * 100));
  return (
    <div class="gauge">
      <meter
        id="quota-meter"
        min={0}
        max={Math.max(quota, 1)}
        value={used ?? 0}
        high={quota * 0.8}
        optimum={0}
        aria-label="Requests used this month"
      />
      <p>
        {used === undefined ? '…' : num(used)} of {num(quota)} requests this month ({pct} %). Resets{' '}
        <time dateTime={reset.toISOString()}>{reset.toISOString().slice(0, 10)}</time> 00:00 UTC.
        {used !== undefined && used >= quota
          ? ' The quota is used up: new lookups answer plan_limit until then; raise the quota below to continue.'
          : ''}
      </p>
    </div>
  );
}

function Settings({ call, w, onSaved }: { call: Call; w: Workspace; onSaved: () => void }) {
  const [name, setName] = useState(w.name);
  const [quota, setQuota] = useState(String(w.monthly_quota));
  const [error, setError] = useState<Error>();
  const [saved, setSaved] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setSaved('');
    try {
      await call('PATCH', `/workspaces/${w.id}`, { name, monthly_quota: Number(quota) });
      setSaved('Saved.');
      onSaved();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section aria-labelledby="settings-h">
      <h2 id="settings-h">Settings</h2>
      <form class="form" onSubmit={submit}>
        <label for="ws-rename">Name</label>
        <input id="ws-rename" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="ws-quota-edit">Monthly quota</label>
        <input
          id="ws-quota-edit"
          type="number"
          min={0}
          required
          value={quota}
          onInput={(e) => setQuota(e.currentTarget.value)}
        />
        <button type="submit">Save workspace</button>
        <span class="hint" aria-live="polite">
          {saved}
        </span>
        <ErrorNote error={error} />
      </form>
    </section>
  );
}

export function KeyFacts({ k }: { k: Key }) {
  return (
    <dl class="facts">
      <dt>Type</dt>
      <dd>{k.type}</dd>
      <dt>Key</dt>
      <dd>
        <code>{maskedKey(k.type, k.last4)}</code>
      </dd>
      <dt>Status</dt>
      <dd>
        <span class={`status ${k.status}`}>{k.status}</span>
      </dd>
      <dt>Allowed domains</dt>
      <dd>{k.allowed_domains.length ? k.allowed_domains.join(', ') : 'any (secret key, from servers)'}</dd>
      <dt>Created</dt>
      <dd>{day(k.created_at)}</dd>
      <dt>Last used</dt>
      <dd>{relative(k.last_used_at)}</dd>
      <dt>Expires</dt>
      <dd>{k.expires_at ? `${day(k.expires_at)} (${relative(k.expires_at)})` : 'never'}</dd>
    </dl>
  );
}

function KeyList({ ws, keys }: { ws: string; keys?: Key[] }) {
  if (!keys) return <p aria-busy="true">Loading keys…</p>;
  if (keys.length === 0) {
    return (
      <p class="empty">
        No keys yet. Create a publishable key for &lt;img&gt; tags on your site, or a secret key for servers.
      </p>
    );
  }
  return (
    <ul class="cards" aria-label="API keys">
      {keys.map((k) => (
        <li key={k.id} class="card" data-key-id={k.id}>
          <Link to={`/workspaces/${ws}/keys/${k.id}`} class="title" label={`Manage key ${k.name}`}>
            {k.name}
          </Link>
          {k.exposed_at && k.status === 'active' ? (
            <p class="warn" role="status">
              Exposed {relative(k.exposed_at)}: this key was sent in a URL. Treat it as leaked.{' '}
              <Link to={`/workspaces/${ws}/keys/${k.id}#roll`} label={`Roll ${k.name} now`}>
                Roll now
              </Link>
            </p>
          ) : null}
          <KeyFacts k={k} />
        </li>
      ))}
    </ul>
  );
}

/** The ready snippets for a key just shown (img tag for publishable keys, curl for both). */
export function snippets(apiBase: string, k: CreatedKey): { img?: string; curl: string } {
  const q = `linkedin_url=${DEMO_PROFILE}&size=128`;
  if (k.type === 'publishable') {
    const site = k.allowed_domains[0]?.replace(/^\*\./, 'www.') ?? 'localhost';
    return {
      img: `<img src="${apiBase}/v1/avatar?key=${k.key}&${q}" alt="" width="128" height="128">`,
      curl: `curl -i "${apiBase}/v1/avatar?key=${k.key}&${q}" -H "Referer: https://${site}/"`,
    };
  }
  return { curl: `curl -i "${apiBase}/v1/avatar?${q}" -H "x-api-key: ${k.key}"` };
}

/** The full key, once: in this component's memory only, never in any storage. */
export function ShownOnce({ k, apiBase }: { k: CreatedKey; apiBase: string }) {
  const s = snippets(apiBase, k);
  return (
    <section class="once" aria-label={`New key ${k.name}`}>
      <p class="warn">
        Copy the key now: this is the only time it is shown. Only its last four characters are kept.
      </p>
      <CopyField label={`Key ${k.name}`} value={k.key} id={`key-${k.id}`} />
      {s.img ? <CopyField label="img tag" value={s.img} id={`img-${k.id}`} multiline /> : null}
      <CopyField label="curl command" value={s.curl} id={`curl-${k.id}`} multiline />
    </section>
  );
}

function CreateKey(props: { call: Call; ws: string; apiBase: string; onCreated: () => void }) {
  const [type, setType] = useState<'publishable' | 'secret'>('publishable');
  const [name, setName] = useState('');
  const [domains, setDomains] = useState('');
  const [error, setError] = useState<Error>();
  const [created, setCreated] = useState<CreatedKey>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      const allowed = domains
        .split(/[\s,]+/)
        .map((d) => d.trim())
        .filter(Boolean);
      const k = await props.call<CreatedKey>('POST', `/workspaces/${props.ws}/keys`, {
        type,
        name,
        allowed_domains: allowed,
      });
      setCreated(k);
      setName('');
      props.onCreated();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <div class="create-key">
      <h3>Create a key</h3>
      <form class="form" onSubmit={submit}>
        <label for="key-type">Type</label>
        <select
          id="key-type"
          value={type}
          onChange={(e) => setType(e.currentTarget.value as 'publishable' | 'secret')}
        >
          <option value="publishable">publishable (pk_live_, for &lt;img&gt; tags)</option>
          <option value="secret">secret (sk_live_, for servers)</option>
        </select>
        <label for="key-name">Name</label>
        <input id="key-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="key-domains">Allowed domains (one per line; required for publishable keys)</label>
        <textarea
          id="key-domains"
          rows={2}
          value={domains}
          placeholder="app.example.com"
          onInput={(e) => setDomains(e.currentTarget.value)}
        />
        <button type="submit">Create key</button>
        <ErrorNote error={error} />
      </form>
      {created ? <ShownOnce k={created} apiBase={props.apiBase} /> : null}
    </div>
  );
}
