// The smaller views: functions, crons, generators, users, files and snapshots, log search,
// server and cluster information.
import { useState } from 'preact/hooks';
import { fmtTime } from '../api.js';
import { useLoad, ErrorBox, Action, Section, Table, Json, Short } from '../ui.jsx';

const secs = (v) => (typeof v === 'number' ? `${v.toFixed(2)} s` : '—');

export function Functions({ ctx }) {
  const { data, error } = useLoad(() => ctx.api.call('getfunctionsmsg',
    { colonyname: ctx.colony, executorname: '' }), [ctx.colony], 15000);
  return (
    <Section title="Functions">
      <ErrorBox error={error} />
      <Table rows={data} rowKey={(f) => f.functionid} empty="No functions registered." columns={[
        { label: 'Function', get: (f) => f.funcname }, { label: 'Executor', get: (f) => f.executorname },
        { label: 'Type', get: (f) => f.executortype }, { label: 'Calls', get: (f) => f.counter },
        { label: 'Avg wait', get: (f) => secs(f.avgwaittime) }, { label: 'Avg exec', get: (f) => secs(f.avgexectime) },
      ]} />
    </Section>
  );
}

export function Crons({ ctx }) {
  const { data, error, reload } = useLoad(() => ctx.api.call('getcronsmsg',
    { colonyname: ctx.colony, count: 100 }), [ctx.colony], 15000);
  return (
    <Section title="Crons">
      <ErrorBox error={error} />
      <Table rows={data} rowKey={(c) => c.cronid} empty="No crons." columns={[
        { label: 'Name', get: (c) => c.name },
        { label: 'Schedule', get: (c) => (c.interval > 0 ? `every ${c.interval} s` : <code>{c.cronexpression}</code>) },
        { label: 'Next run', get: (c) => fmtTime(c.nextrun) }, { label: 'Last run', get: (c) => fmtTime(c.lastrun) },
        { label: 'Last workflow', get: (c) => (c.prevprocessgraphid ? <a href={`#/workflow/${c.prevprocessgraphid}`}><Short id={c.prevprocessgraphid} /></a> : '—') },
        { label: 'Actions', get: (c) => (
          <span class="row-actions">
            <Action label="Run now" run={() => ctx.api.call('runcronmsg', { cronid: c.cronid })} onDone={reload} />
            <Action label="Remove" kind="danger" confirm={`Remove cron ${c.name}?`} run={() => ctx.api.call('removecronmsg', { cronid: c.cronid, all: false })} onDone={reload} />
          </span>) },
      ]} />
    </Section>
  );
}

export function Generators({ ctx }) {
  const { data, error, reload } = useLoad(() => ctx.api.call('getgeneratorsmsg',
    { colonyname: ctx.colony, count: 100 }), [ctx.colony], 15000);
  return (
    <Section title="Generators">
      <ErrorBox error={error} />
      <Table rows={data} rowKey={(g) => g.generatorid} empty="No generators." columns={[
        { label: 'Name', get: (g) => g.name }, { label: 'Trigger', get: (g) => g.trigger },
        { label: 'Timeout', get: (g) => `${g.timeout} s` }, { label: 'Last run', get: (g) => fmtTime(g.lastrun) },
        { label: 'Actions', get: (g) => <Action label="Remove" kind="danger" confirm={`Remove generator ${g.name}?`} run={() => ctx.api.call('removegeneratormsg', { generatorid: g.generatorid, all: false })} onDone={reload} /> },
      ]} />
    </Section>
  );
}

export function Users({ ctx }) {
  const { data, error, reload } = useLoad(() => ctx.api.call('getusersmsg',
    { colonyname: ctx.colony }), [ctx.colony], 15000);
  return (
    <Section title="Users">
      <ErrorBox error={error} />
      <Table rows={data} rowKey={(u) => u.userid} empty="No users." columns={[
        { label: 'Name', get: (u) => u.name }, { label: 'Id', get: (u) => <Short id={u.userid} /> },
        { label: 'E-mail', get: (u) => u.email || '—' },
        { label: 'Actions', get: (u) => <Action label="Remove" kind="danger" confirm={`Remove user ${u.name}?`} run={() => ctx.api.call('removeusermsg', { colonyname: ctx.colony, name: u.name })} onDone={reload} /> },
      ]} />
    </Section>
  );
}

export function Files({ ctx }) {
  const [label, setLabel] = useState(null);
  const labels = useLoad(() => ctx.api.call('getfilelabelsmsg', { colonyname: ctx.colony, name: '', exact: false }), [ctx.colony], 15000);
  const files = useLoad(() => (label ? ctx.api.call('getfilesmsg', { colonyname: ctx.colony, label }) : Promise.resolve(null)), [ctx.colony, label]);
  const snaps = useLoad(() => ctx.api.call('getsnapshotsmsg', { colonyname: ctx.colony }), [ctx.colony], 15000);
  return (
    <>
      <Section title="Files">
        <ErrorBox error={labels.error} />
        <Table rows={labels.data} rowKey={(l) => l.name} empty="No files." columns={[
          { label: 'Label', get: (l) => <button type="button" class="link" onClick={() => setLabel(l.name)}>{l.name}</button> },
          { label: 'Files', get: (l) => l.files },
        ]} />
        {label && <>
          <h3>{label}</h3>
          <ErrorBox error={files.error} />
          <Table rows={files.data} rowKey={(f) => f.name} columns={[
            { label: 'Name', get: (f) => f.name }, { label: 'Size', get: (f) => f.size },
            { label: 'Checksum', get: (f) => <Short id={f.checksum} /> }]} />
        </>}
      </Section>
      <Section title="Snapshots">
        <ErrorBox error={snaps.error} />
        <Table rows={snaps.data} rowKey={(s) => s.snapshotid} empty="No snapshots." columns={[
          { label: 'Name', get: (s) => s.name }, { label: 'Label', get: (s) => s.label },
          { label: 'Files', get: (s) => (s.fileids || []).length }, { label: 'Added', get: (s) => fmtTime(s.added) },
        ]} />
      </Section>
    </>
  );
}

export function LogSearch({ ctx }) {
  const [q, setQ] = useState({ text: '', days: 1 });
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const search = async (ev) => {
    ev.preventDefault();
    setError(null);
    try {
      setResult((await ctx.api.call('searchlogsmsg', { colonyname: ctx.colony, text: q.text, days: Number(q.days), count: 100 })) || []);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Section title="Search logs">
      <form class="filters" onSubmit={search}>
        <label>Text<input value={q.text} onInput={(e) => setQ({ ...q, text: e.currentTarget.value })} /></label>
        <label>Days<input type="number" min="1" max="30" value={q.days} onInput={(e) => setQ({ ...q, days: e.currentTarget.value })} /></label>
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={error} />
      {result && <Table rows={result} empty="No matching log lines." columns={[
        { label: 'Time', get: (l) => new Date(l.timestamp / 1e6).toLocaleString() },
        { label: 'Process', get: (l) => (l.processid ? <a href={`#/process/${l.processid}`}><Short id={l.processid} /></a> : '—') },
        { label: 'Executor', get: (l) => l.executorname }, { label: 'Message', get: (l) => l.message },
      ]} />}
    </Section>
  );
}

export function ServerInfo({ ctx }) {
  const info = useLoad(() => ctx.api.call('getserverinfomsg', {}), []);
  const stats = useLoad(() => ctx.api.call('getstatisticsmsg', {}), [], 15000);
  const cluster = useLoad(() => ctx.api.call('getclustermsg', {}), []);
  const pause = useLoad(() => ctx.api.call('getpausestatusmsg', { colonyname: ctx.colony }), [ctx.colony], 15000);
  const paused = pause.data?.ispaused;
  return (
    <>
      <Section title="Server">
        <ErrorBox error={info.error} />
        {info.data && <dl class="facts">
          <dt>Version</dt><dd>{info.data.buildversion}</dd>
          <dt>Built</dt><dd>{info.data.buildtime}</dd>
          {(info.data.backends || []).map((b, i) => <><dt key={`b${i}`}>Backend</dt><dd>{b.type} port {b.port}{b.tls ? ' (TLS)' : ''}</dd></>)}
        </dl>}
      </Section>
      <Section title={`Assignments in ${ctx.colony}`} actions={
        paused === undefined ? null : paused
          ? <Action label="Resume assignments" run={() => ctx.api.call('resumeassignmentsmsg', { colonyname: ctx.colony })} onDone={pause.reload} />
          : <Action label="Pause assignments" kind="danger" confirm="Pause assignments in this colony?" run={() => ctx.api.call('pauseassignmentsmsg', { colonyname: ctx.colony })} onDone={pause.reload} />}>
        <ErrorBox error={pause.error} />
        <p>{paused === undefined ? '—' : paused ? 'Paused: no process is assigned.' : 'Running normally.'}</p>
      </Section>
      <Section title="Server statistics (server owner key)">
        {stats.error ? <p class="muted">{stats.error.message}</p> : stats.data && <Json label="statistics" value={stats.data} />}
      </Section>
      <Section title="Cluster (server owner key)">
        {cluster.error ? <p class="muted">{cluster.error.message}</p> : cluster.data && <Table rows={cluster.data.nodes} rowKey={(n) => n.name} columns={[
          { label: 'Name', get: (n) => `${n.name}${cluster.data.leader?.name === n.name ? ' (leader)' : ''}` },
          { label: 'Host', get: (n) => n.host }, { label: 'API port', get: (n) => n.apiport }]} />}
      </Section>
    </>
  );
}
