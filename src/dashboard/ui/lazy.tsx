// Loads a view's module on first use, so the first paint does not wait for heavy code (the YAML
// library for the editor).
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  return function LazyView(props: P) {
    const [C, setC] = useState<ComponentType<P> | undefined>(() => loaded);
    useEffect(() => {
      if (!C) {
        void load().then((c) => {
          loaded = c;
          setC(() => c);
        });
      }
    }, [C]);
    return C ? <C {...props} /> : <p class="empty">Loading…</p>;
  };
}
