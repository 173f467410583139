import type { DocumentAttributes } from '../documents/document-record.ts';
import { URGENCY_PRIORITY } from '../documents/metadata.ts';
import { buildEdxmlDocument, EDXML_PRIORITIES } from '../edxml/envelope.ts';
import { formatDocumentId, formatEdxmlTimestamp } from '../edxml/fields.ts';
import type { DocumentTypeCatalogue } from '../routing/catalogue.ts';
import type { AgencyDirectory } from '../routing/directory.ts';

/** Where the route step leaves a document's package for the axis sender. */
export const axisPackageKey = (documentId: string): string => `axis/outbound/${documentId}.edxml`;

export interface AxisPackageInput {
  readonly document: {
    readonly id: string;
    readonly issuer: string;
    readonly number: string;
    readonly notation: string;
  };
  readonly attributes: DocumentAttributes;
  /** National-axis recipients of this document. */
  readonly recipients: readonly string[];
  readonly countersignedPdf: Buffer;
  /** When the organization signature was applied: the package's trace time, fixed per document. */
  readonly countersignedAt: Date;
  readonly directory: AgencyDirectory;
  readonly catalogue: DocumentTypeCatalogue;
}

/**
 * The edXML package (QCVN 102) that carries a countersigned document to the national axis: one
 * package per document, addressed to every axis recipient, with the countersigned PDF as its
 * attachment. Every value comes from the record, so a retried route step rebuilds the same bytes.
 */
export function buildAxisPackage(input: AxisPackageInput): Buffer {
  const { document, attributes, directory } = input;
  const organization = (code: string) => ({
    OrganId: code,
    OrganName: directory.find(code)?.name ?? code,
    ...(directory.find(code)?.focalPoint.email
      ? { Email: directory.find(code)?.focalPoint.email }
      : {}),
  });
  const type = input.catalogue.find(attributes.typeCode);
  const promulgationDate = attributes.promulgationDate.replaceAll('-', '/');
  return buildEdxmlDocument({
    MessageHeader: {
      From: organization(document.issuer),
      To: input.recipients.map(organization),
      DocumentId: formatDocumentId({
        organId: document.issuer,
        promulgationDate,
        codeNumber: document.number,
        codeNotation: document.notation,
      }),
      Code: { CodeNumber: document.number, CodeNotation: document.notation },
      PromulgationInfo: { Place: 'Quảng Ngãi', PromulgationDate: promulgationDate },
      DocumentType: {
        Type: attributes.typeCode,
        ...(type ? { TypeName: type.name } : {}),
      },
      Subject: attributes.subject,
      SignerInfo: { Position: attributes.signer.position, FullName: attributes.signer.name },
      OtherInfo: { Priority: EDXML_PRIORITIES[URGENCY_PRIORITY[attributes.urgency]] ?? '0' },
    },
    TraceHeaderList: {
      TraceHeader: [
        { OrganId: document.issuer, Timestamp: formatEdxmlTimestamp(input.countersignedAt) },
      ],
    },
    attachments: [
      {
        ContentId: `${document.id}.pdf`,
        ContentType: 'application/pdf',
        AttachmentName: `${document.number}-${document.notation.replaceAll('/', '-')}.pdf`,
        content: input.countersignedPdf,
      },
    ],
  });
}
