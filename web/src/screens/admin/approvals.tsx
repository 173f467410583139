import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type PendingApproval } from '../../api.ts';
import { AsyncView } from '../../components/async-view.tsx';
import { agencyName, useWorkspace } from '../../context.ts';
import { useI18n } from '../../i18n.ts';
import { useAsync } from '../../use-async.ts';
import { ReportFileButtons } from './reports.tsx';
import { useAdminT } from './use-admin-t.ts';

type Decision = 'approved' | 'rejected';

/** The last decision's announcement, kept above the list so it outlives the decided item. */
type Announcement =
  | { readonly kind: 'none' }
  | { readonly kind: 'done'; readonly text: string }
  | { readonly kind: 'failed'; readonly text: string };

/**
 * Rollout phases waiting for an administrator: each with its window, deadline and report, and
 * approve or reject (a rejection says why) after a confirmation; the result is announced.
 */
export function ApprovalsScreen() {
  const { api } = useWorkspace();
  const at = useAdminT();
  const { formatTime } = useI18n();
  const { state, reload } = useAsync(() => api.approvals(), [api]);
  const [announcement, setAnnouncement] = useState<Announcement>({ kind: 'none' });

  const decide = async (approval: PendingApproval, decision: Decision, note: string) => {
    try {
      const result = await api.decide(approval.phaseId, decision, note.trim() || undefined);
      setAnnouncement({
        kind: 'done',
        text: at(`apprDone_${result.decision}`, {
          phase: result.phaseId,
          by: result.decidedBy,
          time: formatTime(result.decidedAt),
        }),
      });
      reload();
    } catch (error) {
      const text =
        error instanceof ApiError && error.status === 409
          ? at('apprAlreadyDecided')
          : at('requestFailed', { message: error instanceof Error ? error.message : '' });
      setAnnouncement({ kind: 'failed', text });
      if (error instanceof ApiError && error.status === 409) reload();
    }
  };

  return (
    <section aria-labelledby="approvals-title">
      <h2 id="approvals-title">{at('apprTitle')}</h2>
      <div aria-live="polite">
        {announcement.kind === 'done' ? <p role="status">{announcement.text}</p> : null}
        {announcement.kind === 'failed' ? (
          <p role="alert" class="notice-error">
            {announcement.text}
          </p>
        ) : null}
      </div>
      <AsyncView state={state} reload={reload}>
        {({ items }) =>
          items.length === 0 ? (
            <p>{at('apprNone')}</p>
          ) : (
            items.map((approval) => (
              <ApprovalCard
                key={`${approval.scheduleId}/${approval.phaseId}`}
                approval={approval}
                onDecide={decide}
              />
            ))
          )
        }
      </AsyncView>
    </section>
  );
}

function ApprovalCard(props: {
  approval: PendingApproval;
  onDecide: (approval: PendingApproval, decision: Decision, note: string) => Promise<void>;
}) {
  const { agencies } = useWorkspace();
  const { formatTime } = useI18n();
  const at = useAdminT();
  const { approval } = props;
  const [note, setNote] = useState('');
  const [pending, setPending] = useState<Decision | undefined>();
  const [busy, setBusy] = useState(false);
  const [noteError, setNoteError] = useState(false);
  const base = `approval-${approval.phaseId}`;
  const confirmButton = useRef<HTMLButtonElement>(null);
  // The confirmation takes focus so the keyboard lands on the choice it asks for.
  useEffect(() => {
    if (pending !== undefined) confirmButton.current?.focus();
  }, [pending]);

  const ask = (decision: Decision) => {
    if (decision === 'rejected' && note.trim() === '') {
      setNoteError(true);
      return;
    }
    setNoteError(false);
    setPending(decision);
  };

  const confirm = async () => {
    if (pending === undefined) return;
    setBusy(true);
    await props.onDecide(approval, pending, note);
    setBusy(false);
    setPending(undefined);
  };

  return (
    <article aria-labelledby={`${base}-title`}>
      <header>
        <h3 id={`${base}-title`}>{approval.title}</h3>
        <p>{at('apprPhase', { phase: approval.phaseId, schedule: approval.scheduleId })}</p>
      </header>
      <ul>
        <li>
          {at('apprWindow', {
            from: formatTime(approval.window.from),
            to: formatTime(approval.window.to),
          })}
        </li>
        <li>
          <strong>{at('apprDeadline', { deadline: formatTime(approval.window.deadline) })}</strong>
        </li>
        <li>{at('apprAttempt', { attempt: approval.attempt })}</li>
        <li>{at('apprRequested', { time: formatTime(approval.requestedAt) })}</li>
        {approval.recipients.length > 0 ? (
          <li>
            {at('apprRecipients', {
              recipients: approval.recipients.map((r) => agencyName(agencies, r)).join(', '),
            })}
          </li>
        ) : null}
      </ul>
      <p>{at('apprReports')}</p>
      <ReportFileButtons
        files={[
          { format: 'html', href: `/admin/${approval.reportKeys.html}` },
          { format: 'csv', href: `/admin/${approval.reportKeys.csv}` },
        ]}
      />
      <div class="field">
        <label for={`${base}-note`}>{at('apprNote')}</label>
        <textarea
          id={`${base}-note`}
          rows={2}
          value={note}
          aria-invalid={noteError ? 'true' : undefined}
          aria-describedby={`${base}-note-hint${noteError ? ` ${base}-note-error` : ''}`}
          onInput={(e) => setNote(e.currentTarget.value)}
        />
        <small id={`${base}-note-hint`}>{at('apprNoteHint')}</small>
        {noteError ? (
          <small id={`${base}-note-error`} role="alert" class="field-error">
            {at('apprNoteRequired')}
          </small>
        ) : null}
      </div>
      {pending === undefined ? (
        <div class="grid">
          <button type="button" onClick={() => ask('approved')}>
            {at('approve')}
          </button>
          <button type="button" class="secondary" onClick={() => ask('rejected')}>
            {at('reject')}
          </button>
        </div>
      ) : (
        <div role="alertdialog" aria-labelledby={`${base}-confirm`} class="confirm">
          <p id={`${base}-confirm`}>
            {at(pending === 'approved' ? 'apprConfirmApprove' : 'apprConfirmReject', {
              title: approval.title,
            })}
          </p>
          <div class="grid">
            <button
              type="button"
              disabled={busy}
              aria-busy={busy ? 'true' : undefined}
              onClick={confirm}
              ref={confirmButton}
            >
              {at('confirm')}
            </button>
            <button type="button" class="secondary" onClick={() => setPending(undefined)}>
              {at('cancel')}
            </button>
          </div>
        </div>
      )}
    </article>
  );
}
