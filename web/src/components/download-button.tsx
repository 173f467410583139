import { useState } from 'preact/hooks';
import { useWorkspace } from '../context.ts';
import { useI18n } from '../i18n.ts';

/**
 * Fetches the countersigned PDF through `GET /documents/{id}/file` (a redirect to a short-lived
 * link) with the token, then hands it to the browser as a download named after the document.
 */
export function DownloadButton(props: { documentId: string; fileName: string; label?: string }) {
  const { api } = useWorkspace();
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function download() {
    setBusy(true);
    setError(undefined);
    try {
      const blob = await api.download(`/documents/${encodeURIComponent(props.documentId)}/file`);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = props.fileName;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      setError(t('downloadFailed', { message: e instanceof Error ? e.message : String(e) }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button
        type="button"
        class="secondary outline"
        disabled={busy}
        aria-busy={busy ? 'true' : undefined}
        onClick={download}
      >
        {props.label ?? t('download')}
      </button>
      {error ? <small role="alert">{error}</small> : null}
    </>
  );
}

/** `1808-UBND-KGVX.pdf` for document 1808/UBND-KGVX. */
export const pdfFileName = (number: string, notation: string): string =>
  `${`${number}-${notation}`.replace(/[^\p{L}\p{N}-]+/gu, '-')}.pdf`;
