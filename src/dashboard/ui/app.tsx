// The shell: login gate, top bar, navigation and the router (location.hash).
import { useMemo, useState } from 'preact/hooks';
import { Actions } from './actions.ts';
import { Api } from './api.ts';
import { useRoute } from './hooks.tsx';
import { lazyView } from './lazy.tsx';
import { describeError, Notices, notify } from './notices.tsx';
import { clearSession, loadToken, loadUser, saveSession } from './session.ts';
import { DeploymentView } from './views/deployment.tsx';
import { EventsView } from './views/events.tsx';
import { Login } from './views/login.tsx';
import { Overview } from './views/overview.tsx';
import { PodView } from './views/pod.tsx';
import { UsageView } from './views/usage.tsx';
import { Workloads } from './views/workloads.tsx';

const NAV = [
  ['overview', 'Overview'],
  ['workloads', 'Workloads'],
  ['events', 'Events'],
  ['usage', 'Usage'],
  ['yaml', 'Apply YAML'],
] as const;

const YamlEditor = lazyView(() => import('./views/yaml-editor.tsx').then((m) => m.YamlEditor));

export interface Session {
  api: Api;
  actions: Actions;
  user: string;
}

declare global {
  interface Window {
    /** For tests and power users: the actions the page would run, callable directly. */
    skiffDashboard?: { actions: Actions };
  }
}

export function App() {
  const [token, setToken] = useState(loadToken);
  const [user, setUser] = useState(loadUser);
  const session = useMemo<Session | undefined>(() => {
    if (!token) return undefined;
    const api = new Api(token);
    const actions = new Actions(api, {
      ok: (t) => notify('ok', t),
      error: (e) => notify('error', describeError(e)),
    });
    window.skiffDashboard = { actions };
    return { api, actions, user };
  }, [token, user]);

  if (!session) {
    return (
      <>
        <Login
          onLogin={(t, u) => {
            saveSession(t, u);
            setUser(u);
            setToken(t);
          }}
        />
        <Notices />
      </>
    );
  }
  const logout = () => {
    clearSession();
    window.skiffDashboard = undefined;
    setToken(undefined);
  };
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href="#/overview">
          <Logo /> skiff
        </a>
        <nav>
          <Nav />
        </nav>
        <span class="who">{session.user}</span>
        <button type="button" class="ghost" onClick={logout}>
          Log out
        </button>
      </header>
      <main>
        <Routes s={session} />
      </main>
      <Notices />
    </div>
  );
}

function Nav() {
  const [view] = useRoute();
  return (
    <>
      {NAV.map(([id, label]) => (
        <a key={id} href={`#/${id}`} class={(view ?? 'overview') === id ? 'active' : ''}>
          {label}
        </a>
      ))}
    </>
  );
}

function Routes({ s }: { s: Session }) {
  const [view, ...rest] = useRoute();
  switch (view ?? 'overview') {
    case 'workloads':
      return <Workloads api={s.api} namespace={rest[0]} />;
    case 'deployment':
      return <DeploymentView s={s} namespace={rest[0]} name={rest[1]} />;
    case 'pod':
      return <PodView api={s.api} namespace={rest[0]} name={rest[1]} />;
    case 'events':
      return <EventsView api={s.api} />;
    case 'usage':
      return <UsageView api={s.api} />;
    case 'yaml':
      return <YamlEditor s={s} namespace={rest[0]} name={rest[1]} />;
    default:
      return <Overview api={s.api} />;
  }
}

/** A small hull-and-sail mark (inline: no emoji font is needed). */
export function Logo() {
  return (
    <svg class="logo" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
      <path d="M12 2v14H5z" fill="#60a5fa" />
      <path d="M13 5l6 11h-6z" fill="#93c5fd" />
      <path d="M3 18h18l-3 4H6z" fill="#e2e8f0" />
    </svg>
  );
}
