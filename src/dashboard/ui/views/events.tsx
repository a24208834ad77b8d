// Events, newest first, live.
import type { Api, KObj } from '../api.ts';
import { useLive } from '../hooks.tsx';
import { age, KINDS, pathFor } from '../resources.ts';
import { Badge, ErrorLine, Panel, Table } from '../widgets.tsx';

const when = (e: KObj): string =>
  (e.lastTimestamp as string) || (e.eventTime as string) || e.metadata.creationTimestamp || '';

export const newestFirst = (events: KObj[]): KObj[] =>
  [...events].sort((a, b) => (when(a) < when(b) ? 1 : -1));

export function EventTable({ events, loaded }: { events: KObj[]; loaded: boolean }) {
  return (
    <Table
      head={['Age', 'Type', 'Reason', 'Object', 'Message']}
      empty={loaded ? 'No events.' : 'Loading…'}
      rows={events.map((e) => {
        const obj = e.involvedObject as { kind?: string; name?: string; namespace?: string } | undefined;
        return [
          age(when(e)),
          <Badge key="t" health={e.type === 'Warning' ? 'warn' : 'idle'}>
            {String(e.type ?? 'Normal')}
          </Badge>,
          String(e.reason ?? ''),
          `${obj?.kind ?? ''}/${obj?.name ?? ''}`,
          <span key="m" class="msg">
            {String(e.message ?? '')}
          </span>,
        ];
      })}
    />
  );
}

export function EventsView({ api }: { api: Api }) {
  const events = useLive(api, pathFor(KINDS.Event));
  return (
    <Panel title="Events">
      <ErrorLine error={events.error} />
      <EventTable events={newestFirst(events.items)} loaded={events.loaded} />
    </Panel>
  );
}
