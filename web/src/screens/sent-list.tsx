import { useWorkspace } from '../context.ts';
import { useI18n } from '../i18n.ts';
import { usePaged } from '../use-async.ts';
import { PagedView } from './paged-view.tsx';

/** The documents this agency sent, newest first, each opening its status timeline. */
export function SentList() {
  const { api } = useWorkspace();
  const { t, formatTime } = useI18n();
  const list = usePaged((cursor) => api.sent(cursor), [api]);
  return (
    <section aria-labelledby="sent-title">
      <h2 id="sent-title">{t('sentTitle')}</h2>
      <PagedView list={list}>
        {(items) => (
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
                {items.map((d) => (
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
        )}
      </PagedView>
    </section>
  );
}
