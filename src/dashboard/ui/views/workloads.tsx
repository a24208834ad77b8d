// Workloads in one namespace (or all): Deployments, StatefulSets, DaemonSets, Jobs and Pods, live.
import type { Api, KObj } from '../api.ts';
import { useLive } from '../hooks.tsx';
import { age, KINDS, type Kind, pathFor, summarize } from '../resources.ts';
import { Badge, ErrorLine, Panel, Table } from '../widgets.tsx';

/** Deployments and Pods change most while someone watches: they get the tab's watch slots. */
const SECTIONS: { kind: Kind; title: string; link?: string; poll?: boolean }[] = [
  { kind: KINDS.Deployment, title: 'Deployments', link: 'deployment' },
  { kind: KINDS.StatefulSet, title: 'StatefulSets', poll: true },
  { kind: KINDS.DaemonSet, title: 'DaemonSets', poll: true },
  { kind: KINDS.Job, title: 'Jobs', poll: true },
  { kind: KINDS.Pod, title: 'Pods', link: 'pod' },
];

export function Workloads({ api, namespace }: { api: Api; namespace?: string }) {
  const namespaces = useLive(api, pathFor(KINDS.Namespace), { poll: true });
  return (
    <div class="grid">
      <div class="toolbar">
        <label for="ns">Namespace</label>
        <select
          id="ns"
          value={namespace ?? ''}
          onChange={(e) => {
            const v = (e.target as HTMLSelectElement).value;
            location.hash = v ? `#/workloads/${encodeURIComponent(v)}` : '#/workloads';
          }}
        >
          <option value="">all namespaces</option>
          {namespaces.items.map((n) => (
            <option key={n.metadata.name} value={n.metadata.name}>
              {n.metadata.name}
            </option>
          ))}
        </select>
      </div>
      {SECTIONS.map((s) => (
        <Section key={s.title} api={api} namespace={namespace} {...s} />
      ))}
    </div>
  );
}

function Section({
  api,
  namespace,
  kind,
  title,
  link,
  poll,
}: {
  api: Api;
  namespace?: string;
  kind: Kind;
  title: string;
  link?: string;
  poll?: boolean;
}) {
  const live = useLive(api, pathFor(kind, namespace), { poll });
  const name = (o: KObj) =>
    link ? (
      <a
        href={`#/${link}/${encodeURIComponent(o.metadata.namespace ?? '')}/${encodeURIComponent(o.metadata.name)}`}
      >
        {o.metadata.name}
      </a>
    ) : (
      o.metadata.name
    );
  return (
    <Panel title={`${title} (${live.items.length})`}>
      <ErrorLine error={live.error} />
      <Table
        head={['Name', 'Namespace', 'Status', 'Age']}
        empty={live.loaded ? `No ${title.toLowerCase()}.` : 'Loading…'}
        rows={live.items.map((o) => {
          const s = summarize(kind.kind, o);
          return [
            name(o),
            o.metadata.namespace ?? '',
            <Badge key="s" health={s.health}>
              {s.text}
            </Badge>,
            age(o.metadata.creationTimestamp),
          ];
        })}
      />
    </Panel>
  );
}
