// Shared pieces of every page: the html tag, the app context (API client, event stream, access),
// data loading that refreshes on live events, and small components (state badge, bar, pager).
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { html } from 'htm/preact';
import type { Api } from './api.js';
import type { EventKind, EventStream } from './events.js';
import { stateLabel, stateTone } from './format.js';
import type { Access } from './types.js';

/** htm's tag bound to preact's h: JSX-like templates with no compile step. */
export { html };

export interface AppContext {
  readonly api: Api;
  readonly events: EventStream;
  readonly access: Access;
}

export const Ctx = createContext<AppContext | null>(null);

export function useApp(): AppContext {
  const c = useContext(Ctx);
  if (!c) throw new Error('useApp outside the app');
  return c;
}

/** Whether the token may operate (stop, approve, reject, cancel): operate and admin may. */
export function canOperate(access: Access): boolean {
  return access === 'operate' || access === 'admin';
}

export interface Loaded<T> {
  data?: T;
  error?: string;
  reload: () => void;
}

/** Minimum gap between refreshes caused by live events: a burst of 1,000 starts is one fetch. */
const REFRESH_GAP_MS = 1000;
/** A load that got no answer is tried again after this, doubling up to LOAD_RETRY_MAX_MS. */
const LOAD_RETRY_FIRST_MS = 1000;
const LOAD_RETRY_MAX_MS = 30_000;

/**
 * Loads with `load` whenever `deps` change, and again (throttled) when an event of one of `kinds`
 * arrives for which `relevant` says yes. Simple and always consistent with the server's paging
 * and filters, at the price of a refetch instead of a local patch. A load that got no answer at
 * all (the network, not the server: a laptop changing networks) is tried again with a backoff, so
 * a quiet page does not keep its error until the next event.
 */
export function useLoad<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: unknown[],
  kinds: EventKind[] = [],
  relevant: (data: { id?: string } & Record<string, unknown>) => boolean = () => true,
): Loaded<T> {
  const { events } = useApp();
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  const [tick, setTick] = useState(0);
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const retryMs = useRef(LOAD_RETRY_FIRST_MS);

  useEffect(() => {
    const abort = new AbortController();
    let retry: ReturnType<typeof setTimeout> | undefined;
    load(abort.signal).then(
      (data) => {
        retryMs.current = LOAD_RETRY_FIRST_MS;
        setState({ data });
      },
      (e: unknown) => {
        if (abort.signal.aborted) return;
        setState((s) => ({ ...s, error: e instanceof Error ? e.message : String(e) }));
        // fetch's TypeError: no answer came. An answer with an error (ApiError: 403, 404) stays.
        if (!(e instanceof TypeError)) return;
        const wait = retryMs.current;
        retryMs.current = Math.min(wait * 2, LOAD_RETRY_MAX_MS);
        retry = setTimeout(() => setTick((t) => t + 1), wait);
      },
    );
    return () => {
      abort.abort();
      if (retry) clearTimeout(retry);
    };
  }, [...deps, tick]);

  useEffect(() => {
    const refresh = (): void => {
      if (timer.current) return;
      const wait = Math.max(0, last.current + REFRESH_GAP_MS - Date.now());
      timer.current = setTimeout(() => {
        timer.current = undefined;
        last.current = Date.now();
        setTick((t) => t + 1);
      }, wait);
    };
    const offs = kinds.map((k) => events.on(k, (d) => relevant(d) && refresh()));
    return () => {
      offs.forEach((off) => off());
      if (timer.current) clearTimeout(timer.current);
      timer.current = undefined;
    };
  }, [events, ...deps]);

  return { ...state, reload: () => setTick((t) => t + 1) };
}

/** A state as a coloured badge that always carries the word. */
export function State({ state }: { state: string | undefined }) {
  return html`<span class="badge tone-${stateTone(state)}">${stateLabel(state)}</span>`;
}

/** A bar of `used` over a whole, with a text label so the number is readable without the bar. */
export function Bar({ label, value, text }: { label: string; value: number; text: string }) {
  const pct = Math.round(value * 100);
  return html`<div class="bar-row">
    <span class="bar-label">${label}</span>
    <span class="bar" role="meter" aria-label=${label} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${pct}>
      <span class="bar-fill" style=${{ width: `${pct}%` }}></span>
    </span>
    <span class="bar-text">${text}</span>
  </div>`;
}

/**
 * An action a button starts (approve, scale, stop…): `act(what, call)` runs it and says how it went
 * in `note` ("scale to 3…", "scale to 3: done", "scale to 3 refused: …"), then reloads the page's data.
 */
export function useAction(reload: () => void): {
  note: string;
  act: (what: string, call: () => Promise<unknown>) => Promise<void>;
} {
  const [note, setNote] = useState('');
  const act = async (what: string, call: () => Promise<unknown>): Promise<void> => {
    setNote(`${what}…`);
    try {
      await call();
      setNote(`${what}: done`);
      reload();
    } catch (e) {
      setNote(`${what} refused: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return { note, act };
}

export function ErrorBox({ error }: { error: string | undefined }) {
  return error ? html`<p class="error" role="alert">${error}</p>` : null;
}

/**
 * Token paging: a stack of the tokens that opened each page seen, so Previous works with
 * server-side page tokens that only go forward.
 */
export function usePager(): {
  token: string;
  page: number;
  next: (t: string) => void;
  prev: () => void;
  reset: () => void;
} {
  const [stack, setStack] = useState<string[]>(['']);
  return {
    token: stack[stack.length - 1] ?? '',
    page: stack.length,
    next: (t) => setStack((s) => [...s, t]),
    prev: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    reset: () => setStack(['']),
  };
}

export function Pager({
  pager,
  nextToken,
  total,
}: {
  pager: ReturnType<typeof usePager>;
  nextToken: string | undefined;
  total?: number | undefined;
}) {
  return html`<nav class="pager" aria-label="pages">
    <button type="button" disabled=${pager.page <= 1} onClick=${pager.prev}>Previous</button>
    <span>Page ${pager.page}${total ? ` · ${total} in all` : ''}</span>
    <button type="button" disabled=${!nextToken} onClick=${() => nextToken && pager.next(nextToken)}>Next</button>
  </nav>`;
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return html`<section aria-label=${title}>
    <h2>${title}</h2>
    ${children}
  </section>`;
}
