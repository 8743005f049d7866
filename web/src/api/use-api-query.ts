import { useCallback, useEffect, useState } from 'react';
import { type ApiError, toApiError } from './api-error.ts';

export type QueryResult<T> =
  | { state: 'loading' }
  | { state: 'loaded'; value: T }
  | { state: 'failed'; error: ApiError };

export interface ApiQuery<T> {
  result: QueryResult<T>;
  /** Loads again; what is on screen stays until the new answer arrives, so nothing flickers. */
  reload(): void;
  /** Replaces the loaded value after a change the page made itself (a save, another page of events). */
  update(change: (value: T) => T): void;
}

/** Runs `load` when the component mounts and whenever `load` changes; pass a stable (memoised) function. */
export function useApiQuery<T>(load: () => Promise<T>): ApiQuery<T> {
  const [result, setResult] = useState<QueryResult<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let current = true;
    load().then(
      (value) => {
        if (current) setResult({ state: 'loaded', value });
      },
      (error: unknown) => {
        if (current) setResult({ state: 'failed', error: toApiError(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [load, generation]);

  const reload = useCallback(() => setGeneration((count) => count + 1), []);
  const update = useCallback(
    (change: (value: T) => T) =>
      setResult((previous) => (previous.state === 'loaded' ? { state: 'loaded', value: change(previous.value) } : previous)),
    [],
  );
  return { result, reload, update };
}
