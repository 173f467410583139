import type { VerifiedAttachment } from '../edxml/envelope.ts';
import type { ValidationReport } from '../signature/report.ts';
import { type ValidationOptions, validatePdf } from '../signature/validate-pdf.ts';

/** The trust the verify step uses (functions/lib/trust.ts loadTrust), without the time. */
export type AxisTrust = Omit<ValidationOptions, 'validationTime'>;

export interface AttachmentVerdict {
  readonly attachment: VerifiedAttachment;
  readonly report: ValidationReport;
}

export type AttachmentsVerdict =
  | { readonly ok: true; readonly pdfs: readonly AttachmentVerdict[] }
  | { readonly ok: false; readonly reasons: readonly string[] };

const PDF_MAGIC = Buffer.from('%PDF-');

/** Declared as a PDF, named like one, or starting like one: every such file must verify. */
export const isPdfAttachment = (a: VerifiedAttachment): boolean =>
  a.ContentType.toLowerCase() === 'application/pdf' ||
  a.AttachmentName.toLowerCase().endsWith('.pdf') ||
  a.content.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC);

/**
 * Validates the signatures of every PDF in a received package, as the verify step validates an
 * upload. A package with no PDF carries no signed document (Decision 28/2018: only a signed
 * e-document has legal value) and fails too. Reasons name the attachment and say why.
 */
export function verifyPdfAttachments(
  attachments: readonly VerifiedAttachment[],
  trust: AxisTrust,
  validationTime: Date,
): AttachmentsVerdict {
  const pdfs = attachments.filter(isPdfAttachment);
  if (pdfs.length === 0) {
    return {
      ok: false,
      reasons: ['the package carries no PDF: a signed PDF document is required'],
    };
  }
  const verdicts = pdfs.map((attachment) => ({
    attachment,
    report: validatePdf(attachment.content, { ...trust, validationTime }),
  }));
  const reasons = verdicts
    .filter((v) => v.report.indication !== 'TOTAL_PASSED')
    .map(({ attachment, report }) => {
      const details = [
        ...report.reasons,
        ...report.signatures.flatMap((s) => s.reasons.map((r) => `${s.fieldName}: ${r}`)),
      ];
      const verdict = report.subIndication ?? report.indication;
      return `${attachment.AttachmentName}: signature ${verdict}${details.length > 0 ? `: ${details.join('; ')}` : ''}`;
    });
  return reasons.length > 0 ? { ok: false, reasons } : { ok: true, pdfs: verdicts };
}
