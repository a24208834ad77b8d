// Overview: node readiness, pods by phase, namespaces and the latest events, all live.
import type { Api } from '../api.ts';
import { useLive } from '../hooks.tsx';
import { age, KINDS, nodeReady, pathFor, podPhases } from '../resources.ts';
import { Badge, ErrorLine, Panel, Table } from '../widgets.tsx';
import { EventTable, newestFirst } from './events.tsx';

/** How many events the overview lists (the Events view has them all). */
const RECENT_EVENTS = 8;

export function Overview({ api }: { api: Api }) {
  const nodes = useLive(api, pathFor(KINDS.Node));
  const pods = useLive(api, pathFor(KINDS.Pod));
  const namespaces = useLive(api, pathFor(KINDS.Namespace), { poll: true });
  const events = useLive(api, pathFor(KINDS.Event), { poll: true });
  const ready = nodes.items.filter(nodeReady).length;
  return (
    <div class="grid">
      <div class="stats">
        <Stat label="Nodes ready" value={nodes.loaded ? `${ready}/${nodes.items.length}` : '…'} />
        {podPhases(pods.items).map(([phase, n]) => (
          <Stat key={phase} label={`Pods ${phase}`} value={pods.loaded ? String(n) : '…'} />
        ))}
        <Stat label="Namespaces" value={namespaces.loaded ? String(namespaces.items.length) : '…'} />
      </div>
      <Panel title="Nodes">
        <ErrorLine error={nodes.error} />
        <Table
          head={['Name', 'Status', 'Version', 'Age']}
          empty={nodes.loaded ? 'No nodes registered yet.' : 'Loading…'}
          rows={nodes.items.map((n) => [
            n.metadata.name,
            <Badge key="s" health={nodeReady(n) ? 'ok' : 'bad'}>
              {nodeReady(n) ? 'Ready' : 'NotReady'}
            </Badge>,
            n.status?.nodeInfo?.kubeletVersion ?? '',
            age(n.metadata.creationTimestamp),
          ])}
        />
      </Panel>
      <Panel title="Namespaces">
        <div class="chips">
          {namespaces.items.map((ns) => (
            <a
              key={ns.metadata.name}
              class="chip"
              href={`#/workloads/${encodeURIComponent(ns.metadata.name)}`}
            >
              {ns.metadata.name}
            </a>
          ))}
        </div>
      </Panel>
      <Panel title="Recent events" actions={<a href="#/events">all events →</a>}>
        <EventTable events={newestFirst(events.items).slice(0, RECENT_EVENTS)} loaded={events.loaded} />
      </Panel>
    </div>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div class="stat">
      <div class="value">{value}</div>
      <div class="label">{label}</div>
    </div>
  );
}
