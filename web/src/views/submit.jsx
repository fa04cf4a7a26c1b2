// Submit a function spec or a workflow from a JSON editor that checks the text as it is typed.
import { useState } from 'preact/hooks';
import { Section, ErrorBox } from '../ui.jsx';

const EXAMPLE_SPEC = `{
  "funcname": "echo",
  "args": ["hello"],
  "conditions": { "executortype": "cli" },
  "maxexectime": 60,
  "maxretries": 3
}`;

const EXAMPLE_WORKFLOW = `[
  { "nodename": "first", "funcname": "echo", "args": ["one"],
    "conditions": { "executortype": "cli", "dependencies": [] } },
  { "nodename": "second", "funcname": "echo", "args": ["two"],
    "conditions": { "executortype": "cli", "dependencies": ["first"] } }
]`;

function checkSpec(s, where, problems) {
  if (!s || typeof s !== 'object' || Array.isArray(s)) {
    problems.push(`${where}: a function spec is a JSON object`);
    return;
  }
  if (typeof s.funcname !== 'string' || !s.funcname) problems.push(`${where}: "funcname" is required`);
  if (!s.conditions || typeof s.conditions.executortype !== 'string' || !s.conditions.executortype)
    problems.push(`${where}: "conditions.executortype" is required`);
  if (s.args !== undefined && !Array.isArray(s.args)) problems.push(`${where}: "args" must be an array`);
  if (s.kwargs !== undefined && (typeof s.kwargs !== 'object' || Array.isArray(s.kwargs)))
    problems.push(`${where}: "kwargs" must be an object`);
  if (s.priority !== undefined && (!Number.isInteger(s.priority) || Math.abs(s.priority) > 50000))
    problems.push(`${where}: "priority" must be an integer in [-50000, 50000]`);
  for (const k of ['maxwaittime', 'maxexectime', 'maxretries'])
    if (s[k] !== undefined && !Number.isInteger(s[k])) problems.push(`${where}: "${k}" must be an integer`);
}

// What the text is ({kind, value}) and what is wrong with it (problems: [string]).
export function validate(text, colony) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { problems: [`Not valid JSON: ${e.message}`] };
  }
  const problems = [];
  const specs = Array.isArray(value) ? value : value && Array.isArray(value.functionspecs) ? value.functionspecs : null;
  if (!specs) {
    checkSpec(value, 'spec', problems);
    if (problems.length) return { problems };
    const spec = { ...value, conditions: { ...value.conditions, colonyname: colony } };
    return { kind: 'spec', value: spec, problems };
  }
  if (specs.length === 0) problems.push('A workflow needs at least one function spec');
  const names = new Set();
  specs.forEach((s, i) => {
    checkSpec(s, `node ${i + 1}`, problems);
    if (!s?.nodename) problems.push(`node ${i + 1}: "nodename" is required in a workflow`);
    else if (names.has(s.nodename)) problems.push(`Duplicate nodename: ${s.nodename}`);
    names.add(s?.nodename);
  });
  specs.forEach((s) => (s?.conditions?.dependencies || []).forEach((d) => {
    if (!names.has(d)) problems.push(`${s.nodename} depends on "${d}", which is not a node`);
  }));
  if (problems.length) return { problems };
  const functionspecs = specs.map((s) => ({ ...s, conditions: { ...s.conditions, colonyname: colony } }));
  return { kind: 'workflow', value: { colonyname: colony, functionspecs }, problems };
}

export function Submit({ ctx }) {
  const [text, setText] = useState(EXAMPLE_SPEC);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const check = validate(text, ctx.colony);
  const submit = async (ev) => {
    ev.preventDefault();
    if (check.problems.length) return;
    setBusy(true);
    setError(null);
    try {
      if (check.kind === 'spec') {
        const p = await ctx.api.call('submitfuncspecmsg', { spec: check.value });
        location.hash = `#/process/${p.processid}`;
      } else {
        const g = await ctx.api.call('submitworkflowspecmsg', { spec: check.value });
        location.hash = `#/workflow/${g.processgraphid}`;
      }
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Section title="Submit">
      <form onSubmit={submit}>
        <p>
          A function spec (a JSON object) or a workflow (an array of function specs with node
          names and dependencies). The colony is filled in: <b>{ctx.colony}</b>.
        </p>
        <p>
          <button type="button" class="link" onClick={() => setText(EXAMPLE_SPEC)}>Example function spec</button>{' '}
          <button type="button" class="link" onClick={() => setText(EXAMPLE_WORKFLOW)}>Example workflow</button>
        </p>
        <label for="spec-editor">JSON</label>
        <textarea id="spec-editor" rows={16} spellcheck={false} value={text}
          aria-invalid={check.problems.length > 0} aria-describedby="spec-problems"
          onInput={(e) => setText(e.currentTarget.value)} />
        <div id="spec-problems" aria-live="polite">
          {check.problems.length > 0
            ? <ul class="error">{check.problems.map((p) => <li key={p}>{p}</li>)}</ul>
            : <p class="ok">Valid {check.kind === 'spec' ? 'function spec' : `workflow of ${check.value.functionspecs.length} nodes`}.</p>}
        </div>
        <ErrorBox error={error} />
        <button type="submit" class="primary" disabled={busy || check.problems.length > 0}>
          Submit {check.kind === 'workflow' ? 'workflow' : 'function spec'}
        </button>
      </form>
    </Section>
  );
}
