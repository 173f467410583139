import { openPdf, type PdfDocument } from '#pdf/document.ts';
import { type DocumentSecurityStore, readDocumentSecurityStore } from '#pdf/dss.ts';
import { PdfFormatError } from '#pdf/errors.ts';
import { findSignatures, type SignatureField } from '#pdf/signatures.ts';
import { DomainError } from '#shared/errors.ts';
import { byteRangeContent, checkCoverage } from './coverage.ts';
import { analyseChangesAfter } from './diff-analysis.ts';
import type { ValidationPolicy } from './policy.ts';
import {
  type ModificationSummary,
  overallVerdict,
  type SignatureReport,
  type ValidationReport,
  type Verdict,
} from './report.ts';
import { verifyEmbeddedSignature } from './verify-embedded.ts';

/** What the verifier trusts and when it judges. */
export interface ValidationOptions {
  /** DER certificates of the trust anchors (root CAs). */
  readonly trustAnchors: readonly Buffer[];
  /** DER certificates that may complete a path the document's CMS leaves open. */
  readonly intermediates: readonly Buffer[];
  /** DER CRLs from configuration; the document's own revocation data is used as well. */
  readonly crls: readonly Buffer[];
  /** The time of the validation ("now" unless a past validation is asked for). */
  readonly validationTime: Date;
  readonly policy: ValidationPolicy;
}

const failed = (subIndication: Verdict['subIndication']): Verdict =>
  subIndication === undefined
    ? { indication: 'TOTAL_FAILED' }
    : { indication: 'TOTAL_FAILED', subIndication };

/**
 * Validates every signature of a PDF: coverage of its ByteRange, changes made after it, integrity
 * and the signer's certificate path. The file is parsed once and each ByteRange hashed once per
 * digest algorithm; hostile input ends in a FORMAT_FAILURE report, never an exception.
 */
export function validatePdf(bytes: Buffer, options: ValidationOptions): ValidationReport {
  const validationTime = options.validationTime.toISOString();
  let doc: PdfDocument;
  let fields: SignatureField[];
  try {
    doc = openPdf(bytes);
    if (doc.encrypted) {
      return formatFailure(validationTime, doc.revisions.length, [
        'the document is encrypted; encrypted documents are not accepted for exchange',
      ]);
    }
    fields = findSignatures(doc);
  } catch (error) {
    if (error instanceof PdfFormatError || error instanceof RangeError) {
      return formatFailure(validationTime, 0, [`the file is not a readable PDF: ${error.message}`]);
    }
    throw error;
  }

  const dss = readDocumentSecurityStore(doc);
  const signatures = fields.map((field) => validateField(doc, field, dss, options));
  const verdict = overallVerdict(signatures);
  const reasons =
    signatures.length === 0 ? ['the document carries no signature'] : summarise(signatures);
  // Viewers rebuild a broken chain by scanning too, so coverage and modification analysis judge
  // the revisions a reader would see; the repair is reported, not held against the signatures.
  if (doc.recovered) {
    reasons.push(
      'the cross-reference chain is broken (startxref or /Prev point at nothing); revisions were found by scanning the file',
    );
  }
  return { ...verdict, validationTime, revisions: doc.revisions.length, signatures, reasons };
}

function formatFailure(
  validationTime: string,
  revisions: number,
  reasons: string[],
): ValidationReport {
  return { ...failed('FORMAT_FAILURE'), validationTime, revisions, signatures: [], reasons };
}

function summarise(signatures: readonly SignatureReport[]): string[] {
  return signatures
    .filter((s) => s.indication !== 'TOTAL_PASSED')
    .map((s) => `${s.fieldName}: ${s.indication}${s.subIndication ? `/${s.subIndication}` : ''}`);
}

function validateField(
  doc: PdfDocument,
  field: SignatureField,
  dss: DocumentSecurityStore,
  options: ValidationOptions,
): SignatureReport {
  const kind = field.type === 'DocTimeStamp' ? 'document-timestamp' : 'signature';
  const coverage = checkCoverage({
    fileLength: doc.bytes.length,
    byteRange: field.byteRange,
    ...(field.contentsSpan ? { contentsSpan: field.contentsSpan } : {}),
    revisionEnds: doc.revisions.map((r) => r.endOffset),
  });
  const base = {
    fieldName: field.fieldName,
    kind,
    ...(field.subFilter ? { subFilter: field.subFilter } : {}),
    coverage: {
      byteRange: field.byteRange,
      ...(coverage.revision === undefined ? {} : { revision: coverage.revision }),
      coversWholeFile: coverage.coversWholeFile,
      problems: coverage.problems,
    },
  } as const;
  if (!coverage.ok || coverage.revision === undefined) {
    return {
      ...base,
      ...failed('FORMAT_FAILURE'),
      chain: [],
      signingTimeSource: 'none',
      reasons: coverage.problems,
    };
  }

  const modifications = modificationsAfter(doc, coverage.revision, field);
  let crypto: ReturnType<typeof verifyEmbeddedSignature>;
  try {
    crypto = verifyEmbeddedSignature({
      kind,
      subFilter: field.subFilter,
      contents: field.contents,
      content: byteRangeContent(doc.bytes, field.byteRange),
      claimedSigningTime: field.signingTime,
      documentCertificates: dss.certificates,
      documentCrls: dss.crls,
      trustAnchors: options.trustAnchors,
      intermediates: options.intermediates,
      crls: options.crls,
      validationTime: options.validationTime,
      policy: options.policy,
    });
  } catch (error) {
    // E.g. a signer certificate whose validity dates do not parse: a broken signature, not a crash.
    if (!(error instanceof DomainError)) throw error;
    return {
      ...base,
      ...failed('FORMAT_FAILURE'),
      chain: [],
      signingTimeSource: 'none',
      reasons: [`the signature cannot be read: ${error.message}`],
    };
  }
  const reasons = [...crypto.reasons];
  let verdict: Verdict = crypto;
  if (modifications && !modifications.allowed) {
    reasons.push(...modifications.descriptions.map((d) => `changed after signing: ${d}`));
    if (verdict.indication !== 'TOTAL_FAILED') verdict = failed('FORMAT_FAILURE');
  }
  return {
    ...base,
    ...crypto,
    ...verdict,
    ...(modifications ? { modifications } : {}),
    reasons,
  };
}

function modificationsAfter(
  doc: PdfDocument,
  revision: number,
  field: SignatureField,
): ModificationSummary | undefined {
  if (revision === doc.revisions.length - 1) return undefined;
  const diff = analyseChangesAfter(doc, revision, {
    ...(field.docMdpPermissions === undefined ? {} : { docMdp: field.docMdpPermissions }),
  });
  return {
    level: diff.level,
    allowed: diff.allowed,
    descriptions: diff.allowed ? diff.modifications.map((m) => m.description) : diff.reasons,
  };
}
