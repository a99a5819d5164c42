/** Shared pieces: data loading, error notes, copy buttons, links that route without a reload. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';

export const BASE = '/console';

export function navigate(path: string): void {
  history.pushState(null, '', `${BASE}${path}`);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function Link(props: { to: string; children: ComponentChildren; class?: string; label?: string }) {
  return (
    <a
      href={`${BASE}${props.to}`}
      class={props.class}
      aria-label={props.label}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}

export interface Loaded<T> {
  data?: T;
  error?: Error;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `deps` change or on reload(); keeps the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error) => live && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [...deps, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { ...state, reload };
}

/** What went wrong and what to do next. */
export function ErrorNote({ error, id }: { error?: Error; id?: string }) {
  if (!error) return null;
  const next =
    error instanceof ApiError
      ? error.status === 404
        ? ' It may have been removed, or you are not a member of it: go back to Workspaces.'
        : error.status === 403
          ? ' Ask an operator for access.'
          : error.status >= 500 || error.status === 0
            ? ' Retry in a moment.'
            : ''
      : '';
  return (
    <p class="error" role="alert" id={id}>
      {error.message}
      {next}
    </p>
  );
}

/** A read-only value with a Copy button; the value stays in memory only. */
export function CopyField(props: { label: string; value: string; id: string; multiline?: boolean }) {
  const [copied, setCopied] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied('Copied.');
    } catch {
      (document.getElementById(props.id) as HTMLInputElement | null)?.select();
      setCopied('Press Ctrl+C (⌘C) to copy the selected text.');
    }
  };
  return (
    <div class="copy">
      <label for={props.id}>{props.label}</label>
      <div class="copy-row">
        {props.multiline ? (
          <textarea id={props.id} readOnly rows={3} value={props.value} spellcheck={false} />
        ) : (
          <input id={props.id} readOnly value={props.value} spellcheck={false} />
        )}
        <button type="button" onClick={copy} aria-label={`Copy ${props.label}`}>
          Copy
        </button>
      </div>
      <span class="hint" aria-live="polite">
        {copied}
      </span>
    </div>
  );
}
