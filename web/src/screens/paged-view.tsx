import type { ComponentChildren } from 'preact';
import { AsyncView } from '../components/async-view.tsx';
import { useI18n } from '../i18n.ts';
import type { usePaged } from '../use-async.ts';

/**
 * A list read page by page: loading and failure as everywhere, a word when it is empty, then the
 * items as the screen shows them and a button for the next page while there is one.
 */
export function PagedView<T>(props: {
  list: ReturnType<typeof usePaged<T>>;
  children: (items: readonly T[]) => ComponentChildren;
}) {
  const { t } = useI18n();
  const { list } = props;
  return (
    <AsyncView state={list.state} reload={list.reload}>
      {() =>
        list.items.length === 0 ? (
          <p>{t('empty')}</p>
        ) : (
          <>
            {props.children(list.items)}
            {list.moreError ? (
              <p role="alert">{t('errorGeneric', { message: list.moreError.message })}</p>
            ) : null}
            {list.more || list.loadingMore ? (
              <button
                type="button"
                class="secondary"
                disabled={list.more === undefined}
                aria-busy={list.loadingMore ? 'true' : undefined}
                onClick={list.more}
              >
                {t('moreItems')}
              </button>
            ) : null}
          </>
        )
      }
    </AsyncView>
  );
}
