import { AsyncView } from '../components/async-view.tsx';
import { useWorkspace } from '../context.ts';
import { useI18n } from '../i18n.ts';
import { usePaged } from '../use-async.ts';

/** The documents this agency sent, newest first, each opening its status timeline. */
export function SentList() {
  const { api } = useWorkspace();
  const { t, formatTime } = useI18n();
  const list = usePaged((cursor) => api.sent(cursor), [api]);
  return (
    <section aria-labelledby="sent-title">
      <h2 id="sent-title">{t('sentTitle')}</h2>
      <AsyncView state={list.state} reload={list.reload}>
        {() =>
          list.items.length === 0 ? (
            <p>{t('empty')}</p>
          ) : (
            <>
              <div class="overflow-auto">
                <table class="striped">
                  <thead>
                    <tr>
                      <th scope="col">{t('colNumber')}</th>
                      <th scope="col">{t('colSubject')}</th>
                      <th scope="col">{t('colStatus')}</th>
                      <th scope="col">{t('colDate')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.items.map((d) => (
                      <tr key={d.id} data-document={d.id}>
                        <th scope="row">
                          <a href={`#/documents/${encodeURIComponent(d.id)}`}>
                            {d.number}/{d.notation}
                          </a>
                        </th>
                        <td>{d.subject ?? ''}</td>
                        <td data-status={d.status}>{t(`status_${d.status}`)}</td>
                        <td>{formatTime(d.createdAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
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
    </section>
  );
}
