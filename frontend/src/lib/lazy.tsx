import type { ComponentType } from 'preact';
import { useState } from 'preact/hooks';
import { Spinner } from '../ui/kit';

/** lazy loads a component's module the first time it is shown (pages, the composer, charts). */
export function lazy<P extends object>(load: () => Promise<{ default: ComponentType<P> }>): ComponentType<P> {
  let C: ComponentType<P> | null = null;
  let pending: Promise<void> | null = null;
  return function Lazy(props: P) {
    const [, setReady] = useState(0);
    if (C) return <C {...props} />;
    pending ??= load().then((m) => {
      C = m.default;
    });
    void pending.then(() => setReady((n) => n + 1));
    return (
      <div class="page-loading">
        <Spinner />
      </div>
    );
  };
}
