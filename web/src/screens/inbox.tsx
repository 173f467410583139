import { useState } from 'preact/hooks';
import { canAdvanceDelivery, type DeliveryState } from '#shared/status/document-status.ts';
import type { ReceiptCode, ReceivedDelivery } from '../api.ts';
import { AsyncView } from '../components/async-view.tsx';
import { DownloadButton, pdfFileName } from '../components/download-button.tsx';
import { agencyName, useWorkspace } from '../context.ts';
import { isMessageKey, type MessageKey, useI18n } from '../i18n.ts';
import { useAsync, usePaged } from '../use-async.ts';
import { PagedView } from './paged-view.tsx';

export type ReceiptAction = '02' | '03' | '05' | '06';

/**
 * The codes to report, in order, for the clerk's action from the delivery's state; undefined
 * when the delivery model does not allow it. Accepting a delivery that has not been marked
 * arrived reports 01 first, since the API takes one step at a time.
 */
export function receiptSteps(
  state: DeliveryState,
  action: ReceiptAction,
): ReceiptCode[] | undefined {
  if (canAdvanceDelivery(state, action)) return [action];
  if (action === '03' && canAdvanceDelivery(state, '01') && canAdvanceDelivery('01', '03')) {
    return ['01', '03'];
  }
  return undefined;
}

const ACTIONS = [
  ['03', 'accept'],
  ['05', 'inProgress'],
  ['06', 'done'],
] as const satisfies readonly (readonly [ReceiptAction, MessageKey])[];

/** Documents sent to this agency, newest first, with download and receipt buttons. */
export function Inbox() {
  const { api } = useWorkspace();
  const { t } = useI18n();
  const list = usePaged((cursor) => api.inbox(cursor), [api]);
  return (
    <section aria-labelledby="inbox-title">
      <h2 id="inbox-title">{t('inboxTitle')}</h2>
      <PagedView list={list}>
        {(items) => (
          <ul class="inbox">
            {items.map((d) => (
              <InboxItem key={d.documentId} delivery={d} />
            ))}
          </ul>
        )}
      </PagedView>
    </section>
  );
}

function InboxItem({ delivery }: { delivery: ReceivedDelivery }) {
  const { api, agencies } = useWorkspace();
  const { t, formatTime } = useI18n();
  const detail = useAsync(() => api.document(delivery.documentId), [api, delivery.documentId]);
  const [state, setState] = useState<DeliveryState>(delivery.state);
  const [reason, setReason] = useState(delivery.reason);
  const [busy, setBusy] = useState(false);
  const [refusing, setRefusing] = useState(false);
  const [refuseText, setRefuseText] = useState('');
  const [problem, setProblem] = useState<string>();
  const [announce, setAnnounce] = useState('');

  const headingId = `inbox-${delivery.documentId}`;
  const stateKey = `delivery_${state}`;
  const stateLabel = isMessageKey(stateKey) ? t(stateKey) : state;

  async function report(action: ReceiptAction, why?: string) {
    const steps = receiptSteps(state, action);
    if (steps === undefined) return;
    setBusy(true);
    setProblem(undefined);
    try {
      for (const code of steps) {
        const result = await api.receipt(
          delivery.documentId,
          code,
          code === '02' ? why : undefined,
        );
        setState(result.state);
        setReason(result.reason);
      }
      const key = `delivery_${action}`;
      setAnnounce(t('receiptSent', { state: isMessageKey(key) ? t(key) : action }));
      setRefusing(false);
    } catch (e) {
      setProblem(t('receiptFailed', { message: e instanceof Error ? e.message : String(e) }));
    } finally {
      setBusy(false);
    }
  }

  function submitRefusal(event: Event) {
    event.preventDefault();
    const why = refuseText.trim();
    if (why === '') {
      setProblem(t('refuseReasonRequired'));
      return;
    }
    void report('02', why);
  }

  const title =
    detail.state.kind === 'ready'
      ? `${detail.state.value.number}/${detail.state.value.notation}`
      : delivery.documentId;

  return (
    <li>
      <article aria-labelledby={headingId} data-document={delivery.documentId}>
        <header>
          <h3 id={headingId}>
            <a href={`#/documents/${encodeURIComponent(delivery.documentId)}`}>{title}</a>
          </h3>
          <AsyncView state={detail.state} reload={detail.reload}>
            {(d) => (
              <p>
                {d.subject ? (
                  <>
                    {d.subject}
                    <br />
                  </>
                ) : null}
                <small>
                  {t('colFrom')}: {agencyName(agencies, d.issuer)}
                </small>
              </p>
            )}
          </AsyncView>
        </header>
        <p>
          {t('colStatus')}: <strong data-state={state}>{stateLabel}</strong>
          {reason ? ` — ${reason}` : ''} · <small>{formatTime(delivery.deliveredAt)}</small>
        </p>
        <fieldset class="actions">
          <legend class="visually-hidden">{t('receiptActionsFor', { document: title })}</legend>
          {detail.state.kind === 'ready' ? (
            <DownloadButton
              documentId={delivery.documentId}
              fileName={pdfFileName(detail.state.value.number, detail.state.value.notation)}
            />
          ) : null}
          {ACTIONS.map(([code, label]) => (
            <button
              key={code}
              type="button"
              disabled={busy || receiptSteps(state, code) === undefined}
              title={
                code === '03' && receiptSteps(state, code)?.length === 2
                  ? t('acceptNeedsArrival')
                  : undefined
              }
              onClick={() => void report(code)}
            >
              {t(label)}
            </button>
          ))}
          <button
            type="button"
            class="secondary"
            aria-expanded={refusing ? 'true' : 'false'}
            disabled={busy || receiptSteps(state, '02') === undefined}
            onClick={() => {
              setRefusing(!refusing);
              setProblem(undefined);
            }}
          >
            {t('refuse')}
          </button>
        </fieldset>
        {refusing ? (
          <form onSubmit={submitRefusal} noValidate>
            <label>
              {t('refuseReason')}
              <textarea
                required
                rows={2}
                value={refuseText}
                aria-invalid={problem === t('refuseReasonRequired') ? 'true' : undefined}
                onInput={(e) => setRefuseText(e.currentTarget.value)}
              />
            </label>
            <div class="actions">
              <button type="submit" disabled={busy}>
                {t('confirmRefuse')}
              </button>
              <button type="button" class="secondary outline" onClick={() => setRefusing(false)}>
                {t('cancel')}
              </button>
            </div>
          </form>
        ) : null}
        {problem ? <p role="alert">{problem}</p> : null}
        <p class="visually-hidden" aria-live="polite">
          {announce}
        </p>
      </article>
    </li>
  );
}
