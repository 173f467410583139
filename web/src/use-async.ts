import { useCallback, useEffect, useState } from 'preact/hooks';

export type AsyncState<T> =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly value: T }
  | { readonly kind: 'failed'; readonly error: Error };

/** Runs `load` when `deps` change; `reload` runs it again. Stale answers are dropped. */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [state, setState] = useState<AsyncState<T>>({ kind: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (value) => current && setState({ kind: 'ready', value }),
      (error: unknown) =>
        current &&
        setState({
          kind: 'failed',
          error: error instanceof Error ? error : new Error(String(error)),
        }),
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { state, reload };
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly cursor?: string | undefined;
}

/**
 * A list read page by page: the first page when `deps` change, the next on `more()`. `more` is
 * undefined on the last page or while a page is loading.
 */
export function usePaged<T>(load: (cursor?: string) => Promise<Page<T>>, deps: readonly unknown[]) {
  const first = useAsync(() => load(), deps);
  const [later, setLater] = useState<{ items: readonly T[]; cursor?: string | undefined }>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<Error>();
  useEffect(() => {
    setLater(undefined);
    setMoreError(undefined);
  }, [first.state]);
  const firstPage = first.state.kind === 'ready' ? first.state.value : undefined;
  const items = [...(firstPage?.items ?? []), ...(later?.items ?? [])];
  const cursor = later ? later.cursor : firstPage?.cursor;
  const more =
    cursor === undefined || loadingMore
      ? undefined
      : () => {
          setLoadingMore(true);
          load(cursor).then(
            (page) => {
              setLater((prev) => ({
                items: [...(prev?.items ?? []), ...page.items],
                cursor: page.cursor,
              }));
              setLoadingMore(false);
            },
            (error: unknown) => {
              setMoreError(error instanceof Error ? error : new Error(String(error)));
              setLoadingMore(false);
            },
          );
        };
  return { state: first.state, reload: first.reload, items, more, loadingMore, moreError };
}
