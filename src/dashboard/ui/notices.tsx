// Toast notices: actions report success or the API's own message (e.g. the Forbidden Status's
// "deployments.apps \"web\" is forbidden: User ... cannot patch ...") where the user can read it.
import { useEffect, useState } from 'preact/hooks';
import { ApiFailure } from './api.ts';

export interface Notice {
  id: number;
  kind: 'ok' | 'error';
  text: string;
}

/** Long enough to read a Forbidden message; errors stay until dismissed. */
const OK_NOTICE_MS = 4000;
let next = 1;
let notices: Notice[] = [];
const listeners = new Set<(n: Notice[]) => void>();

function publish(n: Notice[]) {
  notices = n;
  for (const l of listeners) l(notices);
}

export function notify(kind: Notice['kind'], text: string): void {
  const n = { id: next++, kind, text };
  publish([...notices, n]);
  if (kind === 'ok') setTimeout(() => dismiss(n.id), OK_NOTICE_MS);
}

export function dismiss(id: number): void {
  publish(notices.filter((n) => n.id !== id));
}

/** The readable part of any failure. */
export function describeError(err: unknown): string {
  if (err instanceof ApiFailure) return err.code === 403 ? `Forbidden: ${err.message}` : err.message;
  return err instanceof Error ? err.message : String(err);
}

export function Notices() {
  const [list, setList] = useState(notices);
  useEffect(() => {
    listeners.add(setList);
    return () => {
      listeners.delete(setList);
    };
  }, []);
  return (
    <div class="notices">
      {list.map((n) => (
        <div key={n.id} class={`notice ${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
          <span>{n.text}</span>
          <button type="button" class="link" aria-label="dismiss" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
