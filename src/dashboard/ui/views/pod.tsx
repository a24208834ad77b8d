// One Pod: status, containers, logs following live, and an exec terminal.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api.ts';
import { useCan, useLive } from '../hooks.tsx';
import { describeError } from '../notices.tsx';
import { age, KINDS, pathFor, summarize } from '../resources.ts';
import { Badge, ErrorLine, Panel } from '../widgets.tsx';

/** Lines of history requested before following, and the most the view keeps. */
const LOG_TAIL = 500;
const LOG_KEEP_CHARS = 512 * 1024;

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
      {c && <Logs api={api} namespace={namespace} name={name} container={c} />}
      {c && canExec && <Exec api={api} namespace={namespace} name={name} container={c} />}
    </div>
  );
}

function Logs({
  api,
  namespace,
  name,
  container,
}: {
  api: Api;
  namespace: string;
  name: string;
  container: string;
}) {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const ctl = new AbortController();
    setText('');
    setError('');
    const q = new URLSearchParams({ follow: 'true', container, tailLines: String(LOG_TAIL) });
    void (async () => {
      try {
        for await (const chunk of api.stream(
          `${pathFor(KINDS.Pod, namespace, name, 'log')}?${q}`,
          ctl.signal,
        )) {
          setText((t) => (t + chunk).slice(-LOG_KEEP_CHARS));
        }
      } catch (e) {
        if (!ctl.signal.aborted) setError(describeError(e));
      }
    })();
    return () => ctl.abort();
  }, [api, namespace, name, container]);
  useEffect(() => {
    const el = pre.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [text]);
  return (
    <Panel title={`Logs · ${container}`}>
      <ErrorLine error={error} />
      <pre class="logs" ref={pre} data-testid="logs">
        {text || (error ? '' : 'Waiting for output…')}
      </pre>
    </Panel>
  );
}

function Exec({
  api,
  namespace,
  name,
  container,
}: {
  api: Api;
  namespace: string;
  name: string;
  container: string;
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
        <button type="button" onClick={() => setOpen(!open)}>
          {open ? 'Close' : 'Open shell'}
        </button>
      }
    >
      {open && <div class="terminal" ref={host} />}
      {status && <p class="muted">{status}</p>}
    </Panel>
  );
}
