// One Pod: status, containers, logs following live, and an exec terminal.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api.ts';
import { useCan, useLive } from '../hooks.tsx';
import { type ContainerAttempt, containerAttempt, followLog } from '../log-follow.ts';
import { describeError } from '../notices.tsx';
import { age, KINDS, pathFor, summarize } from '../resources.ts';
import { Badge, ErrorLine, Panel } from '../widgets.tsx';

export function PodView({ api, namespace, name }: { api: Api; namespace: string; name: string }) {
  const list = useLive(api, pathFor(KINDS.Pod, namespace));
  const pod = list.items.find((p) => p.metadata.name === name);
  const containers: string[] = (pod?.spec?.containers ?? []).map((c: { name: string }) => c.name);
  const [container, setContainer] = useState<string | undefined>();
  const c = container ?? containers[0];
  const canExec = useCan(api, {
    verb: 'create',
    group: '',
    resource: 'pods',
    subresource: 'exec',
    namespace,
    name,
  });
  if (!pod) {
    return (
      <Panel title={`Pod ${namespace}/${name}`}>
        <p class="empty">{list.loaded ? 'Not found.' : 'Loading…'}</p>
      </Panel>
    );
  }
  const s = summarize('Pod', pod);
  const attempt = c ? containerAttempt(pod, c) : undefined;
  return (
    <div class="grid">
      <Panel title={`Pod ${namespace}/${name}`}>
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <Badge health={s.health}>{s.text}</Badge>
          </dd>
          <dt>Node</dt>
          <dd>{pod.spec?.nodeName ?? '(not scheduled)'}</dd>
          <dt>Pod IP</dt>
          <dd>{pod.status?.podIP ?? '—'}</dd>
          <dt>Age</dt>
          <dd>{age(pod.metadata.creationTimestamp)}</dd>
          <dt>Container</dt>
          <dd>
            <select value={c} onChange={(e) => setContainer((e.target as HTMLSelectElement).value)}>
              {containers.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </dd>
        </dl>
      </Panel>
      {c && (
        <Logs
          key={`logs/${namespace}/${name}/${c}`}
          api={api}
          namespace={namespace}
          name={name}
          container={c}
          attempt={attempt}
        />
      )}
      {c && canExec && (
        // Keyed: a terminal opened on one pod must not reopen itself on the next pod shown.
        <Exec
          key={`exec/${namespace}/${name}/${c}`}
          api={api}
          namespace={namespace}
          name={name}
          container={c}
          running={attempt?.running ?? false}
        />
      )}
    </div>
  );
}

function Logs({
  api,
  namespace,
  name,
  container,
  attempt,
}: {
  api: Api;
  namespace: string;
  name: string;
  container: string;
  attempt: ContainerAttempt | undefined;
}) {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const pre = useRef<HTMLPreElement>(null);
  // A new stream per container attempt: none before it starts, a fresh one after a restart.
  useEffect(() => {
    setText('');
    setError('');
    if (!attempt?.id) return;
    const ctl = new AbortController();
    void followLog(
      api,
      { namespace, pod: name, container },
      { text: setText, error: setError, describe: describeError },
      ctl.signal,
    );
    return () => ctl.abort();
  }, [api, namespace, name, container, attempt?.id]);
  useEffect(() => {
    const el = pre.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [text]);
  const placeholder = attempt?.id
    ? 'Waiting for output…'
    : `Waiting for the container to start (${attempt?.waiting})…`;
  return (
    <Panel title={`Logs · ${container}`}>
      <ErrorLine error={error} />
      <pre class="logs" ref={pre} data-testid="logs">
        {text || (error ? '' : placeholder)}
      </pre>
    </Panel>
  );
}

const NOT_RUNNING = 'A shell can be opened once the container is running.';

function Exec({
  api,
  namespace,
  name,
  container,
  running,
}: {
  api: Api;
  namespace: string;
  name: string;
  container: string;
  running: boolean;
}) {
  const host = useRef<HTMLDivElement>(null);
  const [open, setOpen] = useState(false);
  const [status, setStatus] = useState('');
  useEffect(() => {
    if (!open || !host.current) return;
    let dispose: (() => void) | undefined;
    let live = true;
    // xterm.js is loaded only when a terminal is opened.
    void import('../terminal.tsx').then(({ openTerminal }) => {
      if (!live || !host.current) return;
      dispose = openTerminal(host.current, {
        token: api.token,
        namespace,
        pod: name,
        container,
        onStatus: setStatus,
      });
    });
    return () => {
      live = false;
      dispose?.();
    };
  }, [open, api, namespace, name, container]);
  return (
    <Panel
      title={`Terminal · ${container}`}
      actions={
        <button type="button" disabled={!open && !running} onClick={() => setOpen(!open)}>
          {open ? 'Close' : 'Open shell'}
        </button>
      }
    >
      {open && <div class="terminal-host" ref={host} />}
      {!open && !running && <p class="muted">{NOT_RUNNING}</p>}
      {status && <p class="muted">{status}</p>}
    </Panel>
  );
}
