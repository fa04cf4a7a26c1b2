// Processes by state with filters, a virtualised list (fast with many rows), and one process's
// page: spec, data, times, attributes, logs that follow live, and why it waits.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Live, STATES, fmtTime, duration, isSet } from '../api.js';
import { useLoad, ErrorBox, StateBadge, Json, Short, Action, Section, Table } from '../ui.jsx';
import { online } from './overview.jsx';

const ROW = 34;

// Renders only the rows in view (plus a margin), so 10,000 rows cost as much as 30.
export function VirtualList({ rows, columns, height = 560, onOpen }) {
  const [top, setTop] = useState(0);
  const first = Math.max(0, Math.floor(top / ROW) - 10);
  const last = Math.min(rows.length, Math.ceil((top + height) / ROW) + 10);
  const tpl = columns.map((c) => c.width || '1fr').join(' ');
  return (
    <div class="vlist" role="table" aria-rowcount={rows.length + 1} data-testid="process-list">
      <div class="vrow vhead" role="row" style={{ gridTemplateColumns: tpl }}>
        {columns.map((c) => <span role="columnheader" key={c.label}>{c.label}</span>)}
      </div>
      <div class="vbody" style={{ height: `${Math.min(height, rows.length * ROW + 2)}px` }}
        onScroll={(e) => setTop(e.currentTarget.scrollTop)} tabIndex={0}>
        <div style={{ height: `${rows.length * ROW}px`, position: 'relative' }}>
          {rows.slice(first, last).map((r, i) => (
            <div class="vrow" role="row" key={r.processid} aria-rowindex={first + i + 2}
              style={{ top: `${(first + i) * ROW}px`, gridTemplateColumns: tpl }}
              onClick={() => onOpen && onOpen(r)}>
              {columns.map((c) => <span role="cell" key={c.label}>{c.get(r)}</span>)}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}

export const processColumns = [
  { label: 'Process', width: '9rem', get: (p) => <a href={`#/process/${p.processid}`}><code>{p.processid.slice(0, 12)}</code></a> },
  { label: 'Function', get: (p) => p.spec.funcname || p.spec.nodename },
  { label: 'State', width: '7rem', get: (p) => <StateBadge state={p.state} /> },
  { label: 'Executor type', get: (p) => p.spec.conditions.executortype },
  { label: 'Initiator', get: (p) => p.initiatorname },
  { label: 'Submitted', get: (p) => fmtTime(p.submissiontime) },
  { label: 'Took', width: '6rem', get: (p) => duration(p.starttime, p.endtime) },
];

function useLive(ctx, onProcess) {
  const live = useRef(null);
  const cb = useRef(onProcess);
  cb.current = onProcess;
  useEffect(() => {
    live.current = new Live(ctx.prvkey, (p) => cb.current(p));
    return () => live.current.close();
  }, [ctx.prvkey]);
  return live;
}

export function Processes({ ctx, query }) {
  const [state, setState] = useState(Number(query?.get('state') ?? 1));
  const [filters, setFilters] = useState({ executortype: '', label: '', initiator: '' });
  const [draft, setDraft] = useState(filters);
  const [windowMin, setWindowMin] = useState(0);
  const { data, error, reload } = useLoad(async () => {
    if (windowMin > 0)
      return ctx.api.call('getprocesshistmsg',
        { colonyname: ctx.colony, executorid: '', seconds: windowMin * 60, state });
    return ctx.api.call('getprocessesmsg', { colonyname: ctx.colony, count: 100, state, ...filters });
  }, [ctx.colony, state, filters, windowMin], 5000);
  const rows = data || [];
  // Waiting and running rows are followed over /pubsub so their changes show at once.
  const pending = useRef(null);
  const live = useLive(ctx, () => {
    // At most one re-read per interval, however many frames come (no endless debounce).
    if (!pending.current) pending.current = setTimeout(() => { pending.current = null; reload(); }, 300);
  });
  useEffect(() => {
    live.current?.follow(state <= 1 && rows.length <= 100 ? rows.map((p) => p.processid) : []);
  }, [data]);
  return (
    <Section title="Processes">
      <div class="tabs" role="group" aria-label="State">
        {STATES.map((s, i) => (
          <button type="button" key={s} aria-pressed={state === i} onClick={() => setState(i)}>{s}</button>
        ))}
      </div>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); setFilters(draft); }}>
        {['executortype', 'label', 'initiator'].map((k) => (
          <label key={k}>{k === 'executortype' ? 'Executor type' : k === 'label' ? 'Label' : 'Initiator'}
            <input value={draft[k]} onInput={(e) => setDraft({ ...draft, [k]: e.currentTarget.value })} />
          </label>
        ))}
        <label>Show
          <select value={windowMin} onChange={(e) => setWindowMin(Number(e.currentTarget.value))}>
            <option value={0}>the latest 100</option>
            <option value={10}>all submitted in the last 10 min</option>
            <option value={60}>all submitted in the last hour</option>
            <option value={1440}>all submitted in the last day</option>
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      <p class="hint">
        The server applies one filter (executor type, else initiator, else label); the time
        windows ignore the filters. {rows.length} shown.
      </p>
      <ErrorBox error={error} />
      <VirtualList rows={rows} columns={processColumns}
        onOpen={(p) => { location.hash = `#/process/${p.processid}`; }} />
    </Section>
  );
}

// Reasons a waiting process is not running yet, from what the page can read.
function WhyWaiting({ ctx, p }) {
  const { data } = useLoad(async () => {
    const reasons = [];
    if (p.waitforparents) reasons.push('It waits for its parents in the workflow to finish.');
    const pause = await ctx.api.call('getpausestatusmsg', { colonyname: ctx.colony }).catch(() => null);
    if (pause?.ispaused) reasons.push('Assignments in this colony are paused.');
    const execs = (await ctx.api.call('getexecutorsmsg', { colonyname: ctx.colony }).catch(() => [])) || [];
    const c = p.spec.conditions;
    const names = (c.executornames || []).filter((n) => n !== '*');
    const fit = execs.filter((e) => e.executortype === c.executortype &&
      (names.length === 0 || names.includes(e.executorname)) &&
      (!c.locationname || (e.locationname || '').toLowerCase() === c.locationname.toLowerCase()));
    if (fit.length === 0)
      reasons.push(`No executor of type "${c.executortype}"${names.length ? ` named ${names.join(', ')}` : ''}${c.locationname ? ` at ${c.locationname}` : ''} is registered.`);
    else if (!fit.some((e) => e.state === 1)) reasons.push(`No executor of type "${c.executortype}" is approved.`);
    else if (!fit.some(online)) reasons.push(`No executor of type "${c.executortype}" has been heard from in the last minute.`);
    if (reasons.length === 0) reasons.push('Executors that can run it are online: it should be assigned soon (or they are busy).');
    return reasons;
  }, [p.processid, p.state], 10000);
  return (
    <div class="notice" data-testid="why-waiting">
      <h3>Why is it waiting?</h3>
      <ul>{(data || ['Looking…']).map((r) => <li key={r}>{r}</li>)}</ul>
    </div>
  );
}

// Follows a process's log: polls with `since` (the socket carries no log lines) every 3 s while
// it runs, and once more after it ends.
function Logs({ ctx, p }) {
  const [lines, setLines] = useState([]);
  const since = useRef(0);
  const final = p.state >= 2;
  useEffect(() => {
    let stop = false;
    const pull = async () => {
      for (;;) {
        const batch = await ctx.api.call('getlogsmsg',
          { colonyname: ctx.colony, processid: p.processid, executorname: '', count: 500, since: since.current, latest: false })
          .catch(() => null);
        if (stop || !batch || batch.length === 0) return;
        since.current = batch[batch.length - 1].timestamp;
        setLines((l) => l.concat(batch));
        if (batch.length < 500) return;
      }
    };
    pull();
    const t = final ? null : setInterval(pull, 3000);
    return () => { stop = true; if (t) clearInterval(t); };
  }, [p.processid, final]);
  return (
    <pre class="logs" data-testid="logs" aria-label="Logs" tabIndex={0}>
      {lines.length === 0 ? 'No log lines yet.' :
        lines.map((l) => `${new Date(l.timestamp / 1e6).toLocaleTimeString()} ${l.executorname}: ${l.message}`).join('\n')}
    </pre>
  );
}

// Every state change of the process (getprocesstransitionsmsg, docs/compat.md), re-read when
// its state changes.
function History({ ctx, p }) {
  const { data, error } = useLoad(() => ctx.api.call('getprocesstransitionsmsg', { processid: p.processid }),
    [p.processid, p.state]);
  return (
    <>
      <ErrorBox error={error} />
      <Table rows={data} empty="No history." columns={[
        { label: 'Time', get: (t) => fmtTime(t.time) },
        { label: 'Event', get: (t) => t.event },
        { label: 'State', get: (t) => <StateBadge state={t.state} /> },
        { label: 'Executor', get: (t) => <Short id={t.executorid} /> },
      ]} />
    </>
  );
}

export function ProcessPage({ ctx, id }) {
  const { data: p, error, reload } = useLoad(() => ctx.api.call('getprocessmsg', { processid: id }), [id]);
  const [livep, setLivep] = useState(null);
  const pending = useRef(null);
  const live = useLive(ctx, (np) => {
    if (np.processid !== id) return;
    setLivep(np);
    // At most one re-read per interval, however many frames come (no endless debounce).
    if (!pending.current) pending.current = setTimeout(() => { pending.current = null; reload(); }, 300);
  });
  useEffect(() => { live.current?.watch([id]); }, [id]);
  // A frame shows at once; the re-read that follows it replaces it.
  useEffect(() => setLivep(null), [p]);
  const proc = livep || p;
  if (!proc) return <><ErrorBox error={error} /><p class="muted">Loading…</p></>;
  const s = proc.spec;
  const inWorkflow = !!proc.processgraphid;
  const attrs = (proc.attributes || []).map((a) => ({ ...a, type: ['in', 'out', 'err', 'env'][a.attributetype] }));
  return (
    <>
      <Section title={`Process ${s.funcname || s.nodename}`} actions={
        <span>
          {!inWorkflow && proc.state <= 1 && <Action label="Cancel" kind="danger" confirm="Cancel this process?"
            run={() => ctx.api.call('cancelprocessmsg', { processid: id })} onDone={reload} />}
          {!inWorkflow && proc.state !== 1 && <Action label="Remove" kind="danger" confirm="Remove this process?"
            run={() => ctx.api.call('removeprocessmsg', { processid: id, all: false })}
            onDone={() => { location.hash = '#/processes'; }} />}
          {inWorkflow && <a href={`#/workflow/${proc.processgraphid}`}>Its workflow</a>}
        </span>}>
        <ErrorBox error={error} />
        <dl class="facts">
          <dt>Id</dt><dd><code>{proc.processid}</code></dd>
          <dt>State</dt><dd data-testid="process-state"><StateBadge state={proc.state} /></dd>
          <dt>Function</dt><dd>{s.funcname}</dd>
          <dt>Executor type</dt><dd>{s.conditions.executortype}</dd>
          <dt>Assigned to</dt><dd><Short id={proc.assignedexecutorid} /></dd>
          <dt>Initiator</dt><dd>{proc.initiatorname} <Short id={proc.initiatorid} /></dd>
          <dt>Submitted</dt><dd>{fmtTime(proc.submissiontime)}</dd>
          <dt>Started</dt><dd>{fmtTime(proc.starttime)}</dd>
          <dt>Ended</dt><dd>{fmtTime(proc.endtime)}</dd>
          <dt>Wait deadline</dt><dd>{fmtTime(proc.waitdeadline)}</dd>
          <dt>Exec deadline</dt><dd>{fmtTime(proc.execdeadline)}</dd>
          <dt>Retries</dt><dd>{proc.retries} of {s.maxretries < 0 ? 'unlimited' : s.maxretries}</dd>
          <dt>Label</dt><dd>{s.label || '—'}</dd>
          {isSet(proc.starttime) && <><dt>Took</dt><dd>{duration(proc.starttime, proc.endtime)}</dd></>}
        </dl>
        {proc.state === 0 && <WhyWaiting ctx={ctx} p={proc} />}
      </Section>
      <div class="two">
        <Section title="Arguments"><Json label="args" value={s.args} /><Json label="kwargs" value={s.kwargs} /></Section>
        <Section title="Input and output"><Json label="in" value={proc.in} /><Json label="out" value={proc.out} /></Section>
      </div>
      {proc.errors && proc.errors.length > 0 && (
        <Section title="Errors"><ul class="error">{proc.errors.map((e, i) => <li key={i}>{e}</li>)}</ul></Section>
      )}
      <Section title="Logs"><Logs ctx={ctx} p={proc} /></Section>
      <Section title="History"><History ctx={ctx} p={proc} /></Section>
      <Section title="Attributes">
        <Table rows={attrs} rowKey={(a) => a.attributeid} empty="No attributes." columns={[
          { label: 'Type', get: (a) => a.type }, { label: 'Key', get: (a) => a.key },
          { label: 'Value', get: (a) => <code>{a.value}</code> }]} />
      </Section>
      <Section title="Spec"><Json label="spec" value={s} /></Section>
    </>
  );
}
