// The dashboard's shell: sign-in (key kept in sessionStorage, never sent), colony choice and
// hash routes (#/processes, #/process/<id>, ...), so the server only serves / and /assets/.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Api, ApiError } from './api.js';
import { idFromPrivateKey } from './crypto.js';
import { SignIn } from './signin.jsx';
import { Overview } from './views/overview.jsx';
import { Processes, ProcessPage } from './views/processes.jsx';
import { Workflows, WorkflowPage } from './views/workflows.jsx';
import { Executors } from './views/executors.jsx';
import { Functions, Crons, Generators, Users, Files, LogSearch, ServerInfo } from './views/more.jsx';
import { Submit } from './views/submit.jsx';

const NAV = [
  ['overview', 'Overview'], ['processes', 'Processes'], ['workflows', 'Workflows'],
  ['executors', 'Executors'], ['functions', 'Functions'], ['crons', 'Crons'],
  ['generators', 'Generators'], ['users', 'Users'], ['files', 'Files'], ['logs', 'Logs'],
  ['server', 'Server'], ['submit', 'Submit'],
];

function useRoute() {
  const read = () => {
    const [path, query] = (location.hash.replace(/^#\/?/, '') || 'overview').split('?');
    const parts = path.split('/');
    parts.query = new URLSearchParams(query || '');
    return parts;
  };
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

function loadSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem('colonies.session') || 'null');
    if (s && s.prvkey && s.colony) return { ...s, id: idFromPrivateKey(s.prvkey) };
  } catch {
    /* a damaged session means signing in again */
  }
  return null;
}

function Page({ route, ctx }) {
  const [name, arg] = route;
  switch (name) {
    case 'overview': return <Overview ctx={ctx} />;
    case 'processes': return <Processes ctx={ctx} query={route.query} />;
    case 'process': return <ProcessPage ctx={ctx} id={arg} />;
    case 'workflows': return <Workflows ctx={ctx} />;
    case 'workflow': return <WorkflowPage ctx={ctx} id={arg} />;
    case 'executors': return <Executors ctx={ctx} />;
    case 'functions': return <Functions ctx={ctx} />;
    case 'crons': return <Crons ctx={ctx} />;
    case 'generators': return <Generators ctx={ctx} />;
    case 'users': return <Users ctx={ctx} />;
    case 'files': return <Files ctx={ctx} />;
    case 'logs': return <LogSearch ctx={ctx} />;
    case 'server': return <ServerInfo ctx={ctx} />;
    case 'submit': return <Submit ctx={ctx} />;
    default: return <p>No such page. <a href="#/overview">Overview</a></p>;
  }
}

// A colony owner's key is not a member of its colony (protocol.md 3.1): offer to register it
// as a user so that it may read the colony too.
function MembershipNotice({ ctx, onJoined }) {
  const [state, setState] = useState({ checked: false, member: true, error: null, busy: false });
  useEffect(() => {
    ctx.api.call('getcolonymsg', { colonyname: ctx.colony }).then(
      () => setState({ checked: true, member: true }),
      (e) => setState({ checked: true, member: false, error: e instanceof ApiError ? e : null }),
    );
  }, [ctx.colony, ctx.id]);
  if (!state.checked || state.member) return null;
  const join = async () => {
    setState((s) => ({ ...s, busy: true }));
    try {
      const user = {
        colonyname: ctx.colony, userid: ctx.id, name: `dashboard-${ctx.id.slice(0, 8)}`,
        email: '', phone: '',
      };
      await ctx.api.call('addusermsg', { user });
      setState({ checked: true, member: true });
      onJoined();
    } catch (e) {
      setState((s) => ({ ...s, busy: false, error: e }));
    }
  };
  return (
    <div class="notice" role="status">
      <p>
        This key is not a member of colony <b>{ctx.colony}</b>
        {state.error ? ` (${state.error.message})` : ''}. A colony owner's key may register
        itself as a user of the colony to see its processes.
      </p>
      <button type="button" onClick={join} disabled={state.busy}>Register this key as a user</button>
    </div>
  );
}

function App() {
  const [session, setSession] = useState(loadSession);
  const [epoch, setEpoch] = useState(0);
  const route = useRoute();
  if (!session) {
    return (
      <SignIn
        onSignedIn={(s) => {
          sessionStorage.setItem('colonies.session', JSON.stringify({ prvkey: s.prvkey, colony: s.colony }));
          localStorage.setItem('colonies.lastColony', s.colony);
          setSession({ ...s, id: idFromPrivateKey(s.prvkey) });
        }}
      />
    );
  }
  const ctx = { api: new Api(session.prvkey), prvkey: session.prvkey, colony: session.colony, id: session.id };
  const signOut = () => {
    sessionStorage.removeItem('colonies.session');
    setSession(null);
  };
  return (
    <div class="shell">
      <header>
        <a class="brand" href="#/overview">Colonies</a>
        <span class="colony" aria-label="colony">{session.colony}</span>
        <span class="whoami" title={session.id}>key {session.id.slice(0, 8)}</span>
        <button type="button" class="link" onClick={signOut}>Sign out</button>
      </header>
      <nav aria-label="Views">
        {NAV.map(([k, label]) => (
          <a key={k} href={`#/${k}`} aria-current={route[0] === k ? 'page' : undefined}>{label}</a>
        ))}
      </nav>
      <main key={epoch}>
        <MembershipNotice ctx={ctx} onJoined={() => setEpoch((e) => e + 1)} />
        <Page key={`${route.join('/')}?${route.query}`} route={route} ctx={ctx} />
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app'));
