// Preact hooks binding the API to views: live lists, one-off loads and access checks.
import { useEffect, useState } from 'preact/hooks';
import { canI, type ResourceAction } from './access.ts';
import type { Api, KObj } from './api.ts';
import { runLiveList } from './live-list.ts';
import { pollOnly } from './watch-budget.ts';

export interface Live {
  items: KObj[];
  loaded: boolean;
  error?: string;
}

/**
 * A list kept current for as long as the view is mounted: by a watch while the tab's budget
 * allows (the first lists a view asks for get the slots), else by polling; `poll` never watches.
 */
export function useLive(api: Api, path: string | undefined, opts: { poll?: boolean } = {}): Live {
  const poll = opts.poll === true;
  const [state, setState] = useState<Live>({ items: [], loaded: false });
  useEffect(() => {
    if (!path) return;
    const ctl = new AbortController();
    setState({ items: [], loaded: false });
    void runLiveList(api, path, ctl.signal, {
      onChange: (items) => setState({ items, loaded: true }),
      onError: (e) => setState((s) => ({ ...s, error: e.message })),
      budget: poll ? pollOnly : undefined,
    });
    return () => ctl.abort();
  }, [api, path, poll]);
  return state;
}

/** Whether the user may do `action`; undefined while the server is being asked. */
export function useCan(api: Api, action: ResourceAction): boolean | undefined {
  const [allowed, setAllowed] = useState<boolean | undefined>(undefined);
  const key = JSON.stringify(action);
  useEffect(() => {
    let live = true;
    canI(api, action).then(
      (ok) => live && setAllowed(ok),
      () => live && setAllowed(false),
    );
    return () => {
      live = false;
    };
  }, [api, key]);
  return allowed;
}

/** The current location hash, split into path segments: #/deployments/ns/name → ['deployments','ns','name']. */
export function useRoute(): string[] {
  const parse = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const on = () => setRoute(parse());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
