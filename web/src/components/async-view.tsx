import type { ComponentChildren } from 'preact';
import { ApiError } from '../api.ts';
import { useI18n } from '../i18n.ts';
import type { AsyncState } from '../use-async.ts';

/** Loading and failure states of a screen, the same everywhere. */
export function AsyncView<T>(props: {
  state: AsyncState<T>;
  reload: () => void;
  children: (value: T) => ComponentChildren;
}) {
  const { t } = useI18n();
  const { state } = props;
  if (state.kind === 'loading') return <p aria-busy="true">{t('loading')}</p>;
  if (state.kind === 'failed') {
    const unavailable = state.error instanceof ApiError && state.error.status === 503;
    return (
      <div role="alert">
        <p>
          {unavailable ? t('unavailable') : t('errorGeneric', { message: state.error.message })}
        </p>
        <button type="button" class="secondary" onClick={props.reload}>
          {t('retry')}
        </button>
      </div>
    );
  }
  return <>{props.children(state.value)}</>;
}
