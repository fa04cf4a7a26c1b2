// Small shared pieces: data loading with a modest refresh, tables, state badges, errors.
import { useEffect, useState, useCallback, useRef } from 'preact/hooks';
import { STATES } from './api.js';

// Loads with `fn` now and every `every` ms (never faster than a few seconds: live news comes
// from /pubsub); `deps` restart it. Returns {data, error, loading, reload}.
export function useLoad(fn, deps, every = 0) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const seq = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const data = await fn();
      if (mine === seq.current) setState({ data, error: null, loading: false });
    } catch (error) {
      if (mine === seq.current) setState((s) => ({ data: s.data, error, loading: false }));
    }
  }, deps);
  useEffect(() => {
    setState({ data: null, error: null, loading: true });
    reload();
    if (!every) return undefined;
    const t = setInterval(() => {
      if (!document.hidden) reload();
    }, Math.max(every, 3000));
    return () => {
      clearInterval(t);
      seq.current++;
    };
  }, [reload]);
  return { ...state, reload };
}

export function ErrorBox({ error }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error.status ? `${error.status}: ` : ''}
      {error.message}
    </p>
  );
}

export function StateBadge({ state, names = STATES }) {
  const name = names[state] ?? String(state);
  return <span class={`badge s-${name}`} data-state={name}>{name}</span>;
}

// columns: [{label, get: row => node, key?}]
export function Table({ columns, rows, empty = 'Nothing here yet.', rowKey, caption }) {
  if (!rows || rows.length === 0) return <p class="muted">{empty}</p>;
  return (
    <div class="table-wrap">
      <table>
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>{columns.map((c) => <th scope="col" key={c.label}>{c.label}</th>)}</tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={rowKey ? rowKey(r) : i}>
              {columns.map((c) => <td key={c.label}>{c.get(r)}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Json({ value, label }) {
  return (
    <figure class="json-box">
      <figcaption>{label}</figcaption>
      <pre class="json" aria-label={label} tabIndex={0}>{JSON.stringify(value, null, 2)}</pre>
    </figure>
  );
}

export function Short({ id }) {
  if (!id) return <span class="muted">—</span>;
  return <code title={id}>{id.slice(0, 12)}</code>;
}

// A button that runs an action, shows it is busy and reports the action's error.
export function Action({ label, run, confirm: ask, kind = '', onDone }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const click = async () => {
    if (ask && !window.confirm(ask)) return;
    setBusy(true);
    setError(null);
    try {
      await run();
      onDone && onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="action">
      <button type="button" class={kind} disabled={busy} onClick={click}>{label}</button>
      {error && <span class="error" role="alert">{error.message}</span>}
    </span>
  );
}

export function Section({ title, children, actions }) {
  return (
    <section>
      <div class="section-head">
        <h2>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}
