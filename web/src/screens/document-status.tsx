import { useEffect, useState } from 'preact/hooks';
import type { DocumentDetail } from '../api.ts';
import { DownloadButton, pdfFileName } from '../components/download-button.tsx';
import { agencyName, useWorkspace } from '../context.ts';
import { isMessageKey, useI18n } from '../i18n.ts';

const STEPS = ['UPLOADED', 'VERIFIED', 'COUNTERSIGNED', 'ROUTED'] as const;
const TERMINAL = new Set(['ROUTED', 'REJECTED']);
/** Delivery states after which a recipient reports nothing more (recalls aside). */
const SETTLED = new Set(['UNDELIVERABLE', '02', '06', '15']);
/** Polling while the pipeline works, then slower for the recipients' receipts. */
const FAST_MS = 1500;
const SLOW_MS = 10_000;

/** Runs `run` after `ms`; answers a function that cancels it. */
export type Schedule = (run: () => Promise<void>, ms: number) => () => void;

const timerSchedule: Schedule = (run, ms) => {
  const timer = setTimeout(() => void run(), ms);
  return () => clearTimeout(timer);
};

/**
 * The next poll's delay, or undefined to stop: fast while the pipeline works, slow while a
 * routed document's recipients still have receipts to report, never after a rejection or once
 * every delivery has settled.
 */
export function nextPoll(detail: DocumentDetail | undefined): number | undefined {
  if (detail === undefined || !TERMINAL.has(detail.status)) return FAST_MS;
  if (detail.status === 'REJECTED') return undefined;
  return detail.deliveries.every((d) => SETTLED.has(d.state)) ? undefined : SLOW_MS;
}

/** One document: the pipeline's steps as a live timeline, then each recipient's edXML state. */
export function DocumentStatus({
  id,
  schedule = timerSchedule,
}: {
  id: string;
  schedule?: Schedule;
}) {
  const { api, agencies } = useWorkspace();
  const { t, formatTime } = useI18n();
  const [detail, setDetail] = useState<DocumentDetail | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let cancel: (() => void) | undefined;
    let live = true;
    const poll = async () => {
      let delay: number | undefined;
      try {
        const next = await api.document(id);
        if (!live) return;
        setDetail(next);
        setError(undefined);
        delay = nextPoll(next);
      } catch (e) {
        if (!live) return;
        setError(e instanceof Error ? e.message : String(e));
        delay = SLOW_MS;
      }
      if (delay !== undefined) cancel = schedule(poll, delay);
    };
    void poll();
    return () => {
      live = false;
      cancel?.();
    };
  }, [api, id, schedule]);

  if (detail === undefined) {
    return error ? (
      <p role="alert">{t('errorGeneric', { message: error })}</p>
    ) : (
      <p aria-busy="true">{t('loading')}</p>
    );
  }
  const reached = new Map(detail.history.map((h) => [h.status, h.at]));
  const rejected = detail.status === 'REJECTED';
  return (
    <section aria-labelledby="status-title">
      <h2 id="status-title">
        {t('statusTitle', { number: detail.number, notation: detail.notation })}
      </h2>
      {detail.subject ? <p>{detail.subject}</p> : null}
      <p role="status" data-testid="current-status">
        {t('currentStatus', { status: t(`status_${detail.status}`) })}
      </p>
      {error ? <p role="alert">{t('errorGeneric', { message: error })}</p> : null}
      <h3>{t('statusTimeline')}</h3>
      <p class="muted">
        {nextPoll(detail) === undefined ? '' : `${t('live')} · `}
        {t('lastUpdate', { time: formatTime(detail.updatedAt) })}
      </p>
      <ol class="timeline" data-status={detail.status}>
        {STEPS.map((step) => {
          const at = reached.get(step);
          return (
            <li key={step} class={at ? 'done' : 'todo'} data-step={step}>
              <strong>{t(`status_${step}`)}</strong>{' '}
              <span class="muted">{at ? formatTime(at) : t('stepPending')}</span>
            </li>
          );
        })}
        {rejected ? (
          <li class="rejected" data-step="REJECTED">
            <strong>{t('status_REJECTED')}</strong>{' '}
            <span class="muted">{formatTime(reached.get('REJECTED') ?? detail.updatedAt)}</span>
          </li>
        ) : null}
      </ol>
      {detail.rejectionReasons.length > 0 ? (
        <div role="alert">
          <h3>{t('rejectionReasons')}</h3>
          <ul>
            {detail.rejectionReasons.map((r) => {
              const key = `reason_${r.code}`;
              return (
                <li key={r.code + r.message} data-reason={r.code}>
                  {isMessageKey(key) ? t(key) : r.message}
                  {isMessageKey(key) && r.message ? (
                    <details>
                      <summary>{t('technicalDetails')}</summary>
                      <small>
                        {r.code}: {r.message}
                      </small>
                    </details>
                  ) : (
                    <small> ({r.code})</small>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      ) : null}
      {detail.countersigned ? (
        <p>
          <DownloadButton
            documentId={detail.id}
            fileName={pdfFileName(detail.number, detail.notation)}
          />
        </p>
      ) : null}
      {detail.paperCopy?.required ? (
        <p class="notice warning">
          {t('paperCopyRequired', {
            recipients: detail.paperCopy.recipients.map((c) => agencyName(agencies, c)).join(', '),
          })}
        </p>
      ) : null}
      {detail.deliveries.length > 0 ? (
        <>
          <h3>{t('deliveries')}</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('agency')}</th>
                <th scope="col">{t('colStatus')}</th>
                <th scope="col">{t('colDate')}</th>
              </tr>
            </thead>
            <tbody>
              {detail.deliveries.map((d) => {
                const key = `delivery_${d.state}`;
                return (
                  <tr key={d.recipient} data-recipient={d.recipient}>
                    <td>{agencyName(agencies, d.recipient)}</td>
                    <td>
                      {isMessageKey(key) ? t(key) : d.state}
                      {d.reason ? ` — ${d.reason}` : ''}
                    </td>
                    <td>{formatTime(d.updatedAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
