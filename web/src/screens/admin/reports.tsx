import { useMemo, useState } from 'preact/hooks';
import { adminRequest, listReportPage } from '../../admin-api.ts';
import type { ReportEntry } from '../../api.ts';
import { AsyncView } from '../../components/async-view.tsx';
import { useWorkspace } from '../../context.ts';
import { useI18n } from '../../i18n.ts';
import { useAsync } from '../../use-async.ts';
import { useAdminT } from './use-admin-t.ts';

export interface ReportFile {
  readonly format: string;
  /** The API path that redirects to the object (`/admin/reports/<schedule>/<phase>/<file>`). */
  readonly href: string;
}

const fileName = (href: string) => href.slice(href.lastIndexOf('/') + 1);

/** Saves a blob under `name` through a temporary link, as a browser download. */
function save(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

type Viewer =
  | { readonly kind: 'closed' }
  | { readonly kind: 'loading'; readonly file: string }
  | { readonly kind: 'open'; readonly file: string; readonly html: string }
  | { readonly kind: 'failed'; readonly message: string };

/**
 * Buttons for one phase's report files. The API answers them with a redirect that needs the
 * token, so they are fetched, not linked: HTML is shown here in a sandboxed frame (no scripts),
 * every format can be downloaded.
 */
export function ReportFileButtons({ files }: { files: readonly ReportFile[] }) {
  const { api } = useWorkspace();
  const at = useAdminT();
  const [viewer, setViewer] = useState<Viewer>({ kind: 'closed' });

  const fetchFile = async (href: string, then: (blob: Blob) => Promise<void> | void) => {
    try {
      await then(await api.download(href));
    } catch (error) {
      setViewer({
        kind: 'failed',
        message: at('requestFailed', { message: error instanceof Error ? error.message : '' }),
      });
    }
  };

  return (
    <div class="report-files">
      <ul class="inline-actions">
        {files.map((f) => {
          const name = fileName(f.href);
          return (
            <li key={f.href}>
              {f.format === 'html' ? (
                <button
                  type="button"
                  class="outline"
                  onClick={() => {
                    setViewer({ kind: 'loading', file: name });
                    void fetchFile(f.href, async (blob) =>
                      setViewer({ kind: 'open', file: name, html: await blob.text() }),
                    );
                  }}
                >
                  {at('repView', { file: name })}
                </button>
              ) : null}{' '}
              <button
                type="button"
                class="outline secondary"
                onClick={() => void fetchFile(f.href, (blob) => save(blob, name))}
              >
                {at('repDownload', { file: name })}
              </button>
            </li>
          );
        })}
      </ul>
      <div aria-live="polite">
        {viewer.kind === 'loading' ? (
          <p aria-busy="true">{at('repLoadingFile', { file: viewer.file })}</p>
        ) : null}
        {viewer.kind === 'failed' ? (
          <p role="alert" class="notice-error">
            {viewer.message}
          </p>
        ) : null}
      </div>
      {viewer.kind === 'open' ? (
        <figure class="report-viewer">
          <iframe
            title={at('repViewerTitle', { file: viewer.file })}
            sandbox=""
            srcdoc={viewer.html}
            width="100%"
            height="480"
          />
          <button type="button" class="secondary" onClick={() => setViewer({ kind: 'closed' })}>
            {at('repClose')}
          </button>
        </figure>
      ) : null}
    </div>
  );
}

interface Phase {
  readonly scheduleId: string;
  readonly phaseId: string;
  readonly files: readonly ReportEntry[];
  readonly lastModified: string;
}

/** Report objects by phase, in the listing's order. */
export function byPhase(entries: readonly ReportEntry[]): Phase[] {
  const phases = new Map<string, Phase>();
  for (const entry of entries) {
    const id = `${entry.scheduleId}/${entry.phaseId}`;
    const phase = phases.get(id);
    phases.set(id, {
      scheduleId: entry.scheduleId,
      phaseId: entry.phaseId,
      files: [...(phase?.files ?? []), entry],
      lastModified:
        phase === undefined || entry.lastModified > phase.lastModified
          ? entry.lastModified
          : phase.lastModified,
    });
  }
  return [...phases.values()];
}

const FORMAT_ORDER = ['html', 'csv', 'json'];

/** The rollout's phase reports, by schedule and phase, with their HTML, CSV and JSON files. */
export function ReportsScreen() {
  const workspace = useWorkspace();
  const at = useAdminT();
  const { formatTime } = useI18n();
  const request = useMemo(() => adminRequest(workspace), [workspace]);
  const [pages, setPages] = useState<readonly ReportEntry[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const first = useAsync(async () => {
    const page = await listReportPage(request);
    setPages([]);
    setCursor(page.cursor);
    return page.items;
  }, [request]);
  const [more, setMore] = useState<'idle' | 'loading' | string>('idle');

  const loadMore = async () => {
    if (cursor === undefined) return;
    setMore('loading');
    try {
      const page = await listReportPage(request, cursor);
      setPages((current) => [...current, ...page.items]);
      setCursor(page.cursor);
      setMore('idle');
    } catch (error) {
      setMore(error instanceof Error ? error.message : String(error));
    }
  };

  return (
    <section aria-labelledby="reports-title">
      <h2 id="reports-title">{at('repTitle')}</h2>
      <AsyncView state={first.state} reload={first.reload}>
        {(items) => {
          const phases = byPhase([...items, ...pages]);
          if (phases.length === 0) return <p>{at('repNone')}</p>;
          return (
            <>
              {phases.map((phase) => {
                const id = `report-${phase.scheduleId}-${phase.phaseId}`;
                return (
                  <article key={id} aria-labelledby={id}>
                    <header>
                      <h3 id={id}>{phase.phaseId}</h3>
                      <p>
                        {at('repSchedule')}: {phase.scheduleId} · {at('repModified')}:{' '}
                        {formatTime(phase.lastModified)}
                      </p>
                    </header>
                    <ReportFileButtons
                      files={[...phase.files]
                        .sort(
                          (a, b) =>
                            FORMAT_ORDER.indexOf(a.format) - FORMAT_ORDER.indexOf(b.format) ||
                            a.file.localeCompare(b.file),
                        )
                        .map((f) => ({ format: f.format, href: f.href }))}
                    />
                  </article>
                );
              })}
              {cursor === undefined ? null : (
                <button
                  type="button"
                  class="secondary"
                  disabled={more === 'loading'}
                  aria-busy={more === 'loading' ? 'true' : undefined}
                  onClick={loadMore}
                >
                  {at('repMore')}
                </button>
              )}
              {more !== 'idle' && more !== 'loading' ? (
                <p role="alert" class="notice-error">
                  {at('requestFailed', { message: more })}
                </p>
              ) : null}
            </>
          );
        }}
      </AsyncView>
    </section>
  );
}
