// Apply YAML: edit a manifest, review the server's dry-run result as a diff against the live
// object, then apply (server-side apply as field manager skiff-dashboard).
import { useEffect, useState } from 'preact/hooks';
import { parse } from 'yaml';
import { ApiFailure, type KObj } from '../api.ts';
import type { Session } from '../app.tsx';
import { type DiffLine, hasChanges, lineDiff, withContext } from '../line-diff.ts';
import { describeError } from '../notices.tsx';
import { toEditableYaml } from '../object-yaml.ts';
import { KINDS, pathFor, pathForManifest } from '../resources.ts';
import { ErrorLine, Panel } from '../widgets.tsx';

const NOT_FOUND = 404;
const OWNED_BY_OTHERS = [
  'deployment.kubernetes.io/revision',
  'kubectl.kubernetes.io/last-applied-configuration',
];
const STARTER = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
`;

interface Review {
  path: string;
  yaml: string;
  diff: DiffLine[];
  created: boolean;
}

export function YamlEditor({ s, namespace, name }: { s: Session; namespace?: string; name?: string }) {
  const [text, setText] = useState(namespace && name ? '' : STARTER);
  const [review, setReview] = useState<Review | undefined>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!namespace || !name) return;
    s.api.get(pathFor(KINDS.Deployment, namespace, name)).then(
      (d) => setText(toEditableYaml(stripServerFields(d))),
      (e) => setError(describeError(e)),
    );
  }, [s, namespace, name]);

  const diff = async () => {
    setBusy(true);
    setError('');
    setReview(undefined);
    try {
      const manifest = parse(text) as KObj;
      const path = pathForManifest(manifest, 'default');
      const live = await s.api.get(path).catch((e) => {
        if (e instanceof ApiFailure && e.code === NOT_FOUND) return undefined;
        throw e;
      });
      const dry = await s.api.apply(path, text, { dryRun: true });
      const d = lineDiff(toEditableYaml(live, { typeOf: dry }), toEditableYaml(dry, { typeOf: live }));
      setReview({ path, yaml: text, diff: d, created: !live });
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  const apply = async () => {
    if (!review) return;
    setBusy(true);
    const ok = await s.actions.apply(review.path, review.yaml);
    setBusy(false);
    if (ok) {
      setReview(undefined);
      const m = /\/namespaces\/([^/]+)\/deployments\/([^/]+)$/.exec(review.path);
      if (m) location.hash = `#/deployment/${m[1]}/${m[2]}`;
    }
  };

  return (
    <div class="grid two">
      <Panel title="Manifest">
        <textarea
          class="code"
          aria-label="manifest"
          spellcheck={false}
          rows={24}
          value={text}
          onInput={(e) => {
            setText((e.target as HTMLTextAreaElement).value);
            setReview(undefined);
          }}
        />
        <ErrorLine error={error} />
        <div class="row">
          <button type="button" class="primary" disabled={busy} onClick={diff}>
            Review changes
          </button>
        </div>
      </Panel>
      <Panel title="Changes (server dry run)">
        {!review && (
          <p class="empty">Review the changes first: the server computes the result without saving it.</p>
        )}
        {review && (
          <>
            <p class="muted">
              {review.created ? 'Creates ' : 'Updates '}
              <code>{review.path}</code>
            </p>
            <pre class="diff" data-testid="diff">
              {withContext(review.diff).map((l, i) =>
                l.op === '…' ? (
                  <div key={i} class="fold">
                    ⋯ {l.count} unchanged {l.count === 1 ? 'line' : 'lines'}
                  </div>
                ) : (
                  <div key={i} class={l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'same'}>
                    {l.op} {l.text}
                  </div>
                ),
              )}
            </pre>
            <div class="row">
              <button
                type="button"
                class="primary"
                disabled={busy || !hasChanges(review.diff)}
                onClick={apply}
              >
                {hasChanges(review.diff) ? 'Apply' : 'No changes'}
              </button>
            </div>
          </>
        )}
      </Panel>
    </div>
  );
}

/** Fields the server owns; editing them in the manifest would only fight the server. */
function stripServerFields(o: KObj): KObj {
  const c = structuredClone(o);
  delete c.metadata.uid;
  delete c.metadata.creationTimestamp;
  delete c.metadata.generation;
  // The controller's revision and kubectl's last-applied belong to them, not to this manifest.
  for (const a of OWNED_BY_OTHERS) delete c.metadata.annotations?.[a];
  if (c.metadata.annotations && Object.keys(c.metadata.annotations).length === 0)
    delete c.metadata.annotations;
  return c;
}
