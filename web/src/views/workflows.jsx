// Workflows: the list by state, and one workflow drawn as a DAG whose nodes change state live
// (each node's process is followed over /pubsub).
import { useEffect, useRef, useState } from 'preact/hooks';
import { Live, STATES, fmtTime, duration } from '../api.js';
import { useLoad, ErrorBox, StateBadge, Action, Section, Table } from '../ui.jsx';

export function Workflows({ ctx }) {
  const [state, setState] = useState(1);
  const { data, error } = useLoad(() => ctx.api.call('getprocessgraphsmsg',
    { colonyname: ctx.colony, count: 100, state }), [ctx.colony, state], 5000);
  return (
    <Section title="Workflows">
      <div class="tabs" role="group" aria-label="State">
        {STATES.map((s, i) => (
          <button type="button" key={s} aria-pressed={state === i} onClick={() => setState(i)}>{s}</button>
        ))}
      </div>
      <ErrorBox error={error} />
      <Table rows={data} rowKey={(g) => g.processgraphid} empty="No workflows in this state." columns={[
        { label: 'Workflow', get: (g) => <a href={`#/workflow/${g.processgraphid}`}><code>{g.processgraphid.slice(0, 12)}</code></a> },
        { label: 'State', get: (g) => <StateBadge state={g.state} /> },
        { label: 'Processes', get: (g) => (g.processids || []).length },
        { label: 'Initiator', get: (g) => g.initiatorname },
        { label: 'Submitted', get: (g) => fmtTime(g.submissiontime) },
        { label: 'Took', get: (g) => duration(g.starttime, g.endtime) },
      ]} />
    </Section>
  );
}

const COLOUR_STATE = { '#eee8d8': 0, '#4689cd': 1, '#92d050': 2, '#cb4239': 3, '#f5a623': 4 };
const W = 150;
const H = 44;

// Depth layers from the edges (roots first); the server's positions are only a hint.
function layout(nodes, edges) {
  const parents = new Map(nodes.map((n) => [n.id, []]));
  for (const e of edges) parents.get(e.target)?.push(e.source);
  const depth = new Map();
  const d = (id, seen = new Set()) => {
    if (depth.has(id)) return depth.get(id);
    if (seen.has(id)) return 0;
    seen.add(id);
    const v = Math.max(-1, ...parents.get(id).map((p) => d(p, seen))) + 1;
    depth.set(id, v);
    return v;
  };
  nodes.forEach((n) => d(n.id));
  const levels = [];
  for (const n of nodes) (levels[depth.get(n.id)] ||= []).push(n);
  const widest = Math.max(...levels.map((l) => l.length));
  const pos = new Map();
  levels.forEach((level, y) => {
    const offset = ((widest - level.length) * (W + 50)) / 2;
    level.forEach((n, x) => pos.set(n.id, { x: offset + x * (W + 50) + 10, y: y * 90 + 10 }));
  });
  return { pos, width: widest * (W + 50) + 20, height: levels.length * 90 + 10 };
}

function Dag({ graph, states }) {
  const nodes = graph.nodes || [];
  const edges = graph.edges || [];
  if (nodes.length === 0) return <p class="muted">No nodes.</p>;
  const { pos, width, height } = layout(nodes, edges);
  return (
    <div class="dag-wrap">
      <svg class="dag" viewBox={`0 0 ${width} ${height}`} width={width} role="img"
        aria-label={`Workflow graph with ${nodes.length} nodes`}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
          </marker>
        </defs>
        {edges.map((e) => {
          const a = pos.get(e.source);
          const b = pos.get(e.target);
          if (!a || !b) return null;
          return <line key={e.id} class="edge" x1={a.x + W / 2} y1={a.y + H} x2={b.x + W / 2} y2={b.y} marker-end="url(#arrow)" />;
        })}
        {nodes.map((n) => {
          const p = pos.get(n.id);
          const st = STATES[states[n.id]] ?? 'waiting';
          return (
            <a key={n.id} href={`#/process/${n.id}`} aria-label={`${n.data.label}: ${st}`}>
              <g class={`node s-${st}`} data-node={n.data.label} data-state={st} transform={`translate(${p.x},${p.y})`}>
                <rect width={W} height={H} rx="6" />
                <text x={W / 2} y="19" text-anchor="middle">{n.data.label}</text>
                <text x={W / 2} y="36" text-anchor="middle" class="sub">{st}</text>
              </g>
            </a>
          );
        })}
      </svg>
    </div>
  );
}

export function WorkflowPage({ ctx, id }) {
  const { data: g, error, reload } = useLoad(() => ctx.api.call('getprocessgraphmsg',
    { processgraphid: id }), [id]);
  const [states, setStates] = useState({});
  const [live, setLive] = useState('connecting');
  const pending = useRef(null);
  const follower = useRef(null);
  useEffect(() => {
    follower.current = new Live(ctx.prvkey, (p) => {
      setStates((s) => ({ ...s, [p.processid]: p.state }));
      // At most one re-read per interval, however many frames come (no endless debounce).
      if (!pending.current) pending.current = setTimeout(() => { pending.current = null; reload(); }, 500);
    }, { onStatus: setLive });
    return () => follower.current.close();
  }, [id]);
  useEffect(() => {
    if (!g) return;
    const initial = {};
    for (const n of g.nodes || []) initial[n.id] = COLOUR_STATE[n.style?.background] ?? 0;
    setStates((s) => ({ ...initial, ...s }));
    // Large graphs are re-read every few seconds instead of followed node by node.
    if ((g.processids || []).length <= 200) follower.current.watch(g.processids || []);
  }, [g]);
  useEffect(() => {
    if (!g || (g.processids || []).length <= 200 || g.state >= 2) return undefined;
    const t = setInterval(reload, 5000);
    return () => clearInterval(t);
  }, [g]);
  if (!g) return <><ErrorBox error={error} /><p class="muted">Loading…</p></>;
  return (
    <Section title="Workflow" actions={
      <span>
        {g.state <= 1 && <Action label="Cancel workflow" kind="danger" confirm="Cancel this workflow?"
          run={() => ctx.api.call('cancelprocessgraphmsg', { processgraphid: id })} onDone={reload} />}
        {g.state !== 1 && <Action label="Remove workflow" kind="danger" confirm="Remove this workflow and its processes?"
          run={() => ctx.api.call('removeprocessgraphmsg', { processgraphid: id, all: false })}
          onDone={() => { location.hash = '#/workflows'; }} />}
      </span>}>
      <ErrorBox error={error} />
      <dl class="facts">
        <dt>Id</dt><dd><code>{g.processgraphid}</code></dd>
        <dt>State</dt><dd data-testid="workflow-state"><StateBadge state={g.state} /></dd>
        <dt>Initiator</dt><dd>{g.initiatorname}</dd>
        <dt>Submitted</dt><dd>{fmtTime(g.submissiontime)}</dd>
        <dt>Took</dt><dd>{duration(g.starttime, g.endtime)}</dd>
        <dt>Updates</dt><dd data-testid="live-status">{live}</dd>
      </dl>
      <Dag graph={g} states={states} />
    </Section>
  );
}
