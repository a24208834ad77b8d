// One Deployment: status, Scale (+/−), its pods (live), rollout history with Rollback, and a link
// to edit it as YAML. Buttons appear only when a SelfSubjectAccessReview says the user may act.
import { useState } from 'preact/hooks';
import { selectorString } from '../actions.ts';
import type { Session } from '../app.tsx';
import { useCan, useLive } from '../hooks.tsx';
import { age, KINDS, pathFor, summarize } from '../resources.ts';
import { REVISION_ANNOTATION, rolloutHistory } from '../rollback.ts';
import { Badge, ErrorLine, Panel, Table } from '../widgets.tsx';

export function DeploymentView({ s, namespace, name }: { s: Session; namespace: string; name: string }) {
  const one = useLive(s.api, pathFor(KINDS.Deployment, namespace));
  const d = one.items.find((o) => o.metadata.name === name);
  const selector = d ? selectorString(d) : undefined;
  const pods = useLive(
    s.api,
    selector ? `${pathFor(KINDS.Pod, namespace)}?labelSelector=${encodeURIComponent(selector)}` : undefined,
  );
  // ReplicaSets change only on rollouts: polled, leaving the watch slots to the Deployment and pods.
  const rs = useLive(
    s.api,
    selector
      ? `${pathFor(KINDS.ReplicaSet, namespace)}?labelSelector=${encodeURIComponent(selector)}`
      : undefined,
    { poll: true },
  );
  const canScale = useCan(s.api, {
    verb: 'patch',
    group: 'apps',
    resource: 'deployments',
    subresource: 'scale',
    namespace,
    name,
  });
  const canEdit = useCan(s.api, { verb: 'patch', group: 'apps', resource: 'deployments', namespace, name });
  const [busy, setBusy] = useState(false);

  if (!d) {
    return (
      <Panel title={`Deployment ${namespace}/${name}`}>
        <ErrorLine error={one.error} />
        <p class="empty">{one.loaded ? 'Not found.' : 'Loading…'}</p>
      </Panel>
    );
  }
  const sum = summarize('Deployment', d);
  const replicas: number = d.spec?.replicas ?? 1;
  const current = d.metadata.annotations?.[REVISION_ANNOTATION];
  const scale = async (n: number) => {
    setBusy(true);
    await s.actions.scale(namespace, name, n);
    setBusy(false);
  };
  const history = rolloutHistory(d, rs.items);
  return (
    <div class="grid">
      <Panel
        title={`Deployment ${namespace}/${name}`}
        actions={
          canEdit && (
            <a class="button" href={`#/yaml/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`}>
              Edit YAML
            </a>
          )
        }
      >
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <Badge health={sum.health}>{sum.text}</Badge>
          </dd>
          <dt>Replicas</dt>
          <dd class="scale">
            {canScale && (
              <button
                type="button"
                aria-label="scale down"
                disabled={busy || replicas === 0}
                onClick={() => scale(replicas - 1)}
              >
                −
              </button>
            )}
            <span class="replicas" data-testid="replicas">
              {replicas}
            </span>
            {canScale && (
              <button type="button" aria-label="scale up" disabled={busy} onClick={() => scale(replicas + 1)}>
                +
              </button>
            )}
            {canScale === false && <span class="muted"> (read-only: you may not scale)</span>}
          </dd>
          <dt>Updated / available</dt>
          <dd>
            {d.status?.updatedReplicas ?? 0} / {d.status?.availableReplicas ?? 0}
          </dd>
          <dt>Images</dt>
          <dd>
            {(d.spec?.template?.spec?.containers ?? []).map((c: { image: string }) => c.image).join(', ')}
          </dd>
          <dt>Revision</dt>
          <dd>{current ?? '—'}</dd>
          <dt>Age</dt>
          <dd>{age(d.metadata.creationTimestamp)}</dd>
        </dl>
      </Panel>
      <Panel title={`Pods (${pods.items.length})`}>
        <Table
          head={['Name', 'Status', 'Node', 'Age']}
          empty={pods.loaded ? 'No pods.' : 'Loading…'}
          rows={pods.items.map((p) => {
            const ps = summarize('Pod', p);
            return [
              <a
                key="n"
                href={`#/pod/${encodeURIComponent(namespace)}/${encodeURIComponent(p.metadata.name)}`}
              >
                {p.metadata.name}
              </a>,
              <Badge key="s" health={ps.health}>
                {ps.text}
              </Badge>,
              p.spec?.nodeName ?? '',
              age(p.metadata.creationTimestamp),
            ];
          })}
        />
      </Panel>
      <Panel title="Rollout history">
        <Table
          head={['Revision', 'Images', 'Change cause', 'Replicas', '']}
          empty={rs.loaded ? 'No revisions yet.' : 'Loading…'}
          rows={history.map((h) => [
            String(h.revision) + (String(h.revision) === current ? ' (current)' : ''),
            h.images.join(', '),
            h.changeCause ?? '',
            String(h.replicaSet.status?.replicas ?? 0),
            canEdit && String(h.revision) !== current ? (
              <button
                key="r"
                type="button"
                data-revision={h.revision}
                disabled={busy}
                onClick={async () => {
                  setBusy(true);
                  await s.actions.rollback(namespace, name, h.revision);
                  setBusy(false);
                }}
              >
                Roll back
              </button>
            ) : (
              ''
            ),
          ])}
        />
      </Panel>
    </div>
  );
}
