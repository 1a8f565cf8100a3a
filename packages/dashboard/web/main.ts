// The dashboard's entry: the token login (kept in sessionStorage: gone when the tab closes), the
// hash router, the navigation and the live-stream indicator.
import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Api, ApiError } from './api.js';
import { EventStream, type StreamState } from './events.js';
import { JobDetail, Jobs } from './pages/jobs.js';
import { NodeDetail, Nodes } from './pages/nodes.js';
import { Overview } from './pages/overview.js';
import { PipelineDetail, Pipelines } from './pages/pipelines.js';
import { WorkloadDetail, Workloads } from './pages/workloads.js';
import type { Access } from './types.js';
import { Ctx, html } from './ui.js';

const TOKEN_KEY = 'mo.token';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = (): void => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function Route({ hash }: { hash: string }) {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?', 2);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(search);
  const [page, id] = parts;
  if (page === 'workloads')
    return id ? html`<${WorkloadDetail} id=${id} />` : html`<${Workloads} query=${query} key=${search} />`;
  if (page === 'jobs') return id ? html`<${JobDetail} name=${id} key=${id} />` : html`<${Jobs} />`;
  if (page === 'nodes') return id ? html`<${NodeDetail} id=${id} />` : html`<${Nodes} />`;
  if (page === 'pipelines')
    return id ? html`<${PipelineDetail} id=${id} step=${query.get('step') ?? undefined} />` : html`<${Pipelines} />`;
  return html`<${Overview} />`;
}

function Login({ onToken, error }: { onToken: (t: string) => void; error: string }) {
  const submit = (e: Event): void => {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem('token') as HTMLInputElement;
    if (input.value.trim()) onToken(input.value.trim());
  };
  return html`<main class="login">
    <h1>mo</h1>
    <form onSubmit=${submit}>
      <label for="token">Bearer token</label>
      <input id="token" name="token" type="password" autocomplete="off" required autofocus />
      <button type="submit">Sign in</button>
      <p class="meta">Kept in this tab's session storage only. Make one with <code>mo token create</code>.</p>
      ${error && html`<p class="error" role="alert">${error}</p>`}
    </form>
  </main>`;
}

const NAV = [
  ['#/', 'Cluster'],
  ['#/jobs', 'Jobs'],
  ['#/workloads', 'Workloads'],
  ['#/nodes', 'Nodes'],
  ['#/pipelines', 'Pipelines'],
] as const;

function Shell({ token, access, onSignOut }: { token: string; access: Access; onSignOut: () => void }) {
  const hash = useHash();
  const api = useMemo(() => new Api(token), [token]);
  const events = useMemo(() => new EventStream(api), [api]);
  const [live, setLive] = useState<StreamState>(events.state);
  useEffect(() => {
    const off = events.onState(setLive);
    setLive(events.state); // it may have gone live before this effect subscribed
    return () => {
      off();
      events.close();
    };
  }, [events]);
  const first = useRef(true);
  // A new page moves keyboard and screen-reader focus to its heading, as a page load would; a new
  // query on the same page (a chosen step, a filter) does not: focus stays on what was used.
  const pagePath = hash.split('?', 1)[0];
  useEffect(() => {
    if (first.current) first.current = false;
    else document.querySelector<HTMLElement>('main h1')?.focus();
  }, [pagePath]);
  const section = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return html`<${Ctx.Provider} value=${{ api, events, access }}>
    <header>
      <a class="brand" href="#/">mo</a>
      <nav aria-label="main">
        ${NAV.map(([href, label]) => {
          const current = href.slice(2) === section;
          return html`<a href=${href} aria-current=${current ? 'page' : undefined}>${label}</a>`;
        })}
      </nav>
      <span class="live live-${live}" role="status">${live === 'live' ? 'live' : live}</span>
      <span class="meta">${access}</span>
      <button type="button" onClick=${onSignOut}>Sign out</button>
    </header>
    <main><${Route} hash=${hash} /></main>
  <//>`;
}

function App() {
  const [token, setToken] = useState(() => sessionStorage.getItem(TOKEN_KEY) ?? '');
  const [access, setAccess] = useState<Access | undefined>(undefined);
  const [error, setError] = useState('');
  useEffect(() => {
    if (!token) return;
    const abort = new AbortController();
    const api = new Api(token);
    // whoami proves the token (it is guarded as a read of the cluster) and says which buttons to
    // show; the overview then loads the cluster once.
    api.access(abort.signal).then(
      (a) => {
        sessionStorage.setItem(TOKEN_KEY, token);
        setAccess(a);
        setError('');
      },
      (e: unknown) => {
        if (abort.signal.aborted) return;
        sessionStorage.removeItem(TOKEN_KEY);
        setToken('');
        setError(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
      },
    );
    return () => abort.abort();
  }, [token]);
  const signOut = (): void => {
    sessionStorage.removeItem(TOKEN_KEY);
    setAccess(undefined);
    setToken('');
  };
  if (!token) return html`<${Login} onToken=${setToken} error=${error} />`;
  if (!access) return html`<p class="loading">Signing in…</p>`;
  return html`<${Shell} token=${token} access=${access} onSignOut=${signOut} />`;
}

const root = document.getElementById('app')!;
root.textContent = ''; // the "Loading…" placeholder: preact appends rather than replaces
render(html`<${App} />`, root);
