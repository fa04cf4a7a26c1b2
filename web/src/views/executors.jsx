// Executors: state, type, location, last heard from, capabilities; approve, reject and remove
// (colony owner key: the server refuses anyone else, and the page shows its answer).
import { EXECUTOR_STATES, ago } from '../api.js';
import { useLoad, ErrorBox, StateBadge, Action, Section, Table } from '../ui.jsx';
import { online } from './overview.jsx';

function hardware(e) {
  const hw = e.capabilities?.hardware || [];
  return hw.map((h) => [h.model, h.cpu, h.mem, h.gpu?.count ? `${h.gpu.count}× ${h.gpu.name}` : ''].filter(Boolean).join(' ')).join('; ') || '—';
}

export function Executors({ ctx }) {
  const { data, error, reload } = useLoad(() => ctx.api.call('getexecutorsmsg',
    { colonyname: ctx.colony }), [ctx.colony], 10000);
  const op = (type, e) => () => ctx.api.call(type, { colonyname: ctx.colony, executorname: e.executorname });
  return (
    <Section title="Executors">
      <ErrorBox error={error} />
      <Table rows={data} rowKey={(e) => e.executorname} empty="No executors registered." columns={[
        { label: 'Name', get: (e) => <span data-executor={e.executorname}>{e.executorname}</span> },
        { label: 'State', get: (e) => <StateBadge state={e.state} names={EXECUTOR_STATES} /> },
        { label: 'Type', get: (e) => e.executortype },
        { label: 'Location', get: (e) => e.locationname || '—' },
        { label: 'Last heard from', get: (e) => <span class={online(e) ? 'online' : ''}>{ago(e.lastheardfromtime)}</span> },
        { label: 'Hardware', get: hardware },
        { label: 'Actions', get: (e) => (
          <span class="row-actions">
            {e.state !== 1 && <Action label={`Approve ${e.executorname}`} run={op('approveexecutormsg', e)} onDone={reload} />}
            {e.state !== 2 && e.state !== 3 && <Action label={`Reject ${e.executorname}`} kind="danger" run={op('rejectexecutormsg', e)} onDone={reload} />}
            {e.state !== 3 && <Action label={`Remove ${e.executorname}`} kind="danger" confirm={`Remove executor ${e.executorname}? Its running processes go back to waiting.`} run={op('removeexecutormsg', e)} onDone={reload} />}
          </span>) },
      ]} />
    </Section>
  );
}
