// Counts by state, throughput of the last minutes and the executors online.
import { useLoad, ErrorBox, Section } from '../ui.jsx';
import { isSet } from '../api.js';

const ONLINE_SECONDS = 60;

export function online(e) {
  return e.state === 1 && isSet(e.lastheardfromtime) &&
    Date.now() - new Date(e.lastheardfromtime).getTime() < ONLINE_SECONDS * 1000;
}

function Card({ label, value, href }) {
  const body = (
    <>
      <span class="num">{value ?? '—'}</span>
      <span class="lbl">{label}</span>
    </>
  );
  return href ? <a class="card" href={href}>{body}</a> : <div class="card">{body}</div>;
}

// Processes that ended in each of the last ten minutes (getprocesshistmsg, by end time).
function Throughput({ ctx }) {
  const minutes = 10;
  const { data, error } = useLoad(async () => {
    const q = (state) => ctx.api.call('getprocesshistmsg',
      { colonyname: ctx.colony, executorid: '', seconds: minutes * 60, state });
    const [ok, failed] = await Promise.all([q(2), q(3)]);
    const buckets = Array.from({ length: minutes }, () => ({ ok: 0, failed: 0 }));
    const now = Date.now();
    const put = (list, key) => (list || []).forEach((p) => {
      const age = Math.floor((now - new Date(p.endtime).getTime()) / 60000);
      if (age >= 0 && age < minutes) buckets[minutes - 1 - age][key]++;
    });
    put(ok, 'ok');
    put(failed, 'failed');
    return buckets;
  }, [ctx.colony], 10000);
  if (error) return <ErrorBox error={error} />;
  if (!data) return <p class="muted">Loading…</p>;
  const max = Math.max(1, ...data.map((b) => b.ok + b.failed));
  return (
    <figure class="bars" aria-label="Processes finished per minute, last 10 minutes">
      {data.map((b, i) => (
        <div class="bar" key={i} title={`${b.ok} successful, ${b.failed} failed`}>
          <span class="ok" style={{ height: `${(100 * b.ok) / max}%` }} />
          <span class="bad" style={{ height: `${(100 * b.failed) / max}%` }} />
        </div>
      ))}
      <figcaption>finished per minute, last {minutes} min (max {max})</figcaption>
    </figure>
  );
}

export function Overview({ ctx }) {
  const stats = useLoad(() => ctx.api.call('getcolonystatsmsg', { colonyname: ctx.colony }),
    [ctx.colony], 5000);
  const execs = useLoad(() => ctx.api.call('getexecutorsmsg', { colonyname: ctx.colony }),
    [ctx.colony], 10000);
  const s = stats.data || {};
  const list = execs.data || [];
  return (
    <>
      <Section title="Processes">
        <ErrorBox error={stats.error} />
        <div class="cards" data-testid="process-counts">
          <Card label="waiting" value={s.waitingprocesses} href="#/processes?state=0" />
          <Card label="running" value={s.runningprocesses} href="#/processes?state=1" />
          <Card label="successful" value={s.successfulprocesses} href="#/processes?state=2" />
          <Card label="failed" value={s.failedprocesses} href="#/processes?state=3" />
          <Card label="cancelled" value={s.cancelledprocesses} href="#/processes?state=4" />
        </div>
      </Section>
      <Section title="Workflows">
        <div class="cards">
          <Card label="waiting" value={s.waitingworkflows} href="#/workflows" />
          <Card label="running" value={s.runningworkflows} href="#/workflows" />
          <Card label="successful" value={s.successfulworkflows} href="#/workflows" />
          <Card label="failed" value={s.failedworkflows} href="#/workflows" />
        </div>
      </Section>
      <Section title="Throughput">
        <Throughput ctx={ctx} />
      </Section>
      <Section title="Executors">
        <ErrorBox error={execs.error} />
        <div class="cards">
          <Card label={`online (heard from in ${ONLINE_SECONDS} s)`} value={list.filter(online).length} href="#/executors" />
          <Card label="approved" value={list.filter((e) => e.state === 1).length} href="#/executors" />
          <Card label="pending approval" value={list.filter((e) => e.state === 0).length} href="#/executors" />
        </div>
      </Section>
    </>
  );
}
