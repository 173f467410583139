import { summarizeVerification } from '../documents/archive-manifest.ts';
import { type EdxmlLimits, sha256Hex } from '../edxml/attachments.ts';
import { type ParsedEdxmlDocument, parseEdxmlDocument } from '../edxml/envelope.ts';
import { EdxmlFormatError } from '../edxml/errors.ts';
import type { EdxmlOrganization, EdxmlResponseFor } from '../edxml/fields.ts';
import type { DocumentStore } from '../ports/document-store.ts';
import type { AxisDocumentRecords, StatusRepository } from '../ports/status-repository.ts';
import { AXIS_INBOUND_PREFIX } from './keys.ts';
import type { InboundEdoc, InboundOutcome, PlannedAnswer } from './ports.ts';
import { salvageResponseFor } from './salvage.ts';
import { type AxisTrust, verifyPdfAttachments } from './verify-attachments.ts';

export interface ReceivePackageDeps {
  readonly store: DocumentStore;
  readonly repository: Pick<StatusRepository, 'recordDeliveries'> &
    Pick<AxisDocumentRecords, 'importDocument'>;
  readonly trust: AxisTrust;
  /** The organization that answers for the hub when a package names none of ours. */
  readonly self: EdxmlOrganization;
  readonly servesAgency: (organId: string) => boolean;
}

export interface ReceivePackageOptions {
  /** @default AXIS_INBOUND_PREFIX */
  readonly inboundPrefix?: string;
  readonly limits?: EdxmlLimits;
}

/** The hub's id of a document received under an axis id: the same on every retry. */
export const inboundDocumentId = (axisDocId: string): string =>
  `axis-${sha256Hex(Buffer.from(axisDocId, 'utf8')).slice(0, 40)}`;

const URGENCY_OF_PRIORITY: Readonly<Record<string, string>> = {
  '0': 'normal',
  '1': 'khan',
  '2': 'thuong-khan',
  '3': 'hoa-toc',
  '4': 'hoa-toc',
};

/**
 * Decide about one received package and do what the decision needs, except answering.
 *
 * 1. Parse it (digests optional: other systems have none). Invalid → refused (02 from the hub),
 *    or unanswerable when not even its identity can be read.
 * 2. Addressed to none of our agencies → refused (misaddressed).
 * 3. Validate the signatures of every PDF under the configured trust; any not TOTAL_PASSED →
 *    refused with the reasons, answered 02 by each addressed agency of ours.
 * 4. Store the package and each PDF (content-addressed), write the document record (ROUTED,
 *    issuer = the sender) and one delivery in state 01 per addressed agency, so it is in their
 *    inboxes → delivered, to be answered 01 by each.
 *
 * Every write is conditional or content-addressed, so deciding again after a crash changes
 * nothing already written.
 */
export async function receivePackage(
  deps: ReceivePackageDeps,
  options: ReceivePackageOptions,
  input: { readonly axisDocId: string; readonly bytes: Buffer; readonly now: Date },
): Promise<InboundOutcome> {
  const { axisDocId, bytes, now } = input;
  let document: ParsedEdxmlDocument;
  try {
    document = parseEdxmlDocument(bytes, {
      requireDigests: false,
      ...(options.limits ? { limits: options.limits } : {}),
    });
  } catch (error) {
    if (!(error instanceof EdxmlFormatError)) throw error;
    return refusal(bytes, error.message, [deps.self]);
  }
  const header = document.MessageHeader;
  const responseFor: EdxmlResponseFor = {
    OrganId: header.From.OrganId,
    Code: `${header.Code.CodeNumber}/${header.Code.CodeNotation}`,
    PromulgationDate: header.PromulgationInfo.PromulgationDate,
    DocumentId: header.DocumentId,
  };
  const ours = header.To.filter((to) => deps.servesAgency(to.OrganId));
  if (ours.length === 0) {
    const reason = 'misaddressed: none of the recipients is served by this system';
    return { kind: 'refused', reason, responseFor, answers: answers('02', [deps.self], reason) };
  }
  const addressed = ours.map((o) => ({ OrganId: o.OrganId, OrganName: o.OrganName }));
  const verdict = verifyPdfAttachments(document.attachments, deps.trust, now);
  if (!verdict.ok) {
    const reason = `invalid signature: ${verdict.reasons.join(' | ')}`;
    return { kind: 'refused', reason, responseFor, answers: answers('02', addressed, reason) };
  }

  const prefix = options.inboundPrefix ?? AXIS_INBOUND_PREFIX;
  const packageSha256 = sha256Hex(bytes);
  const packageKey = `${prefix}${packageSha256}.edxml`;
  await deps.store.put(packageKey, bytes, { contentType: 'application/xml' });
  const pdfKeys = new Map<string, string>();
  for (const { attachment } of verdict.pdfs) {
    const key = `${prefix}${attachment.sha256}.pdf`;
    await deps.store.put(key, attachment.content, { contentType: 'application/pdf' });
    pdfKeys.set(attachment.ContentId, key);
  }
  const at = now.toISOString();
  const edoc: InboundEdoc = {
    axisDocId,
    receivedAt: at,
    packageKey,
    sha256: packageSha256,
    size: bytes.byteLength,
    documentId: header.DocumentId,
    from: header.From.OrganId,
    recipients: ours.map((o) => ({ organId: o.OrganId, organName: o.OrganName })),
    subject: header.Subject,
    codeNumber: header.Code.CodeNumber,
    codeNotation: header.Code.CodeNotation,
    promulgationDate: header.PromulgationInfo.PromulgationDate,
    ...(header.OtherInfo?.Priority === undefined ? {} : { priority: header.OtherInfo.Priority }),
    attachments: document.attachments.map((a) => {
      const key = pdfKeys.get(a.ContentId);
      return {
        contentId: a.ContentId,
        name: a.AttachmentName,
        contentType: a.ContentType,
        sha256: a.sha256,
        size: a.size,
        ...(key === undefined ? {} : { key }),
      };
    }),
  };
  const documentId = inboundDocumentId(axisDocId);
  const [main] = verdict.pdfs;
  const urgency = URGENCY_OF_PRIORITY[header.OtherInfo?.Priority ?? '0'];
  await deps.repository.importDocument(
    {
      id: documentId,
      issuer: header.From.OrganId,
      year: Number(header.PromulgationInfo.PromulgationDate.slice(0, 4)),
      number: header.Code.CodeNumber,
      notation: header.Code.CodeNotation,
      createdAt: at,
      attributes: {
        subject: header.Subject,
        promulgationDate: header.PromulgationInfo.PromulgationDate.replaceAll('/', '-'),
        signer: { name: header.SignerInfo.FullName, position: header.SignerInfo.Position ?? '' },
        ...(urgency === undefined ? {} : { urgency }),
        recipients: edoc.recipients.map((r) => r.organId),
        issuerName: header.From.OrganName,
        ...(header.DocumentType.TypeName === undefined
          ? {}
          : { typeName: header.DocumentType.TypeName }),
        source: 'national-axis',
      },
    },
    { at, status: 'ROUTED', actor: 'axis-poller', note: `received over the national axis` },
    {
      axis: { axisDocId, responseFor, edoc },
      ...(main === undefined ? {} : { verification: summarizeVerification(main.report) }),
    },
  );
  await deps.repository.recordDeliveries(
    documentId,
    edoc.recipients.map((r) => ({
      recipient: r.organId,
      channel: 'national-axis',
      state: '01',
      updatedAt: at,
    })),
  );
  return {
    kind: 'delivered',
    documentId,
    edoc,
    responseFor,
    answers: answers('01', addressed, 'arrived'),
  };
}

function refusal(
  bytes: Buffer,
  reason: string,
  from: readonly EdxmlOrganization[],
): InboundOutcome {
  const responseFor = salvageResponseFor(bytes);
  if (responseFor === undefined) return { kind: 'unanswerable', reason };
  return { kind: 'refused', reason, responseFor, answers: answers('02', from, reason) };
}

const answers = (
  code: PlannedAnswer['code'],
  from: readonly EdxmlOrganization[],
  description: string,
): PlannedAnswer[] => from.map((f) => ({ code, from: f, description }));
