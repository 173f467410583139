import { parsePdfDate } from '#pdf/dates.ts';
import { certificateSummary, validateCertificatePath } from './certificates.ts';
import {
  CmsFormatError,
  crlsCarriedBy,
  onlySigner,
  parseSignedData,
  type SignedDataInfo,
  type SignerInfoData,
} from './cms.ts';
import type { ValidationPolicy } from './policy.ts';
import type { SignatureReport, SignerSummary, Verdict } from './report.ts';
import { type TimestampVerification, verifyTimestampToken } from './timestamp.ts';
import { contentOf, type SignedContent, verifySignerInfo, worstVerdict } from './verify-cms.ts';

/** What the caller knows of one signature dictionary and of the whole document. */
export interface EmbeddedSignatureInput {
  readonly kind: 'signature' | 'document-timestamp';
  readonly subFilter: string | undefined;
  /** Decoded /Contents, zero padding included. */
  readonly contents: Buffer;
  /** The bytes the ByteRange covers: digests memoised per algorithm, chunks for pure EdDSA. */
  readonly content: SignedContent;
  /** /M of the signature dictionary, as written (a PDF date). */
  readonly claimedSigningTime: string | undefined;
  /** Certificates, CRLs and OCSP responses from the document's /DSS. */
  readonly documentCertificates: readonly Buffer[];
  readonly documentCrls: readonly Buffer[];
  readonly trustAnchors: readonly Buffer[];
  readonly intermediates: readonly Buffer[];
  readonly crls: readonly Buffer[];
  readonly validationTime: Date;
  readonly policy: ValidationPolicy;
}

/** The cryptographic and certificate part of a SignatureReport (coverage is the caller's). */
export type EmbeddedSignatureResult = Pick<
  SignatureReport,
  | 'indication'
  | 'subIndication'
  | 'signer'
  | 'chain'
  | 'signingTime'
  | 'signingTimeSource'
  | 'digestAlgorithm'
  | 'signatureAlgorithm'
  | 'revocation'
  | 'reasons'
>;

const detachedSubFilters = new Set(['adbe.pkcs7.detached', 'ETSI.CAdES.detached']);

const verdictOf = (v: Verdict): Verdict =>
  v.subIndication === undefined
    ? { indication: v.indication }
    : { indication: v.indication, subIndication: v.subIndication };

function result(
  verdict: Verdict,
  fields: Omit<EmbeddedSignatureResult, 'indication' | 'subIndication' | 'reasons'>,
  reasons: readonly string[],
): EmbeddedSignatureResult {
  return { ...verdictOf(verdict), ...fields, reasons: [...new Set(reasons)] };
}

const formatFailure = (reason: string): EmbeddedSignatureResult => ({
  indication: 'TOTAL_FAILED',
  subIndication: 'FORMAT_FAILURE',
  chain: [],
  signingTimeSource: 'none',
  reasons: [reason],
});

/**
 * Validates the CMS in one PDF signature dictionary (EN 319 102-1 basic signature validation
 * plus a signature timestamp when there is one): the signer's CMS checks, the SubFilter's rules
 * on encapsulated content, the signature timestamp, and the signer's certificate path at the best
 * signature time. Hostile CMS ends in a verdict with reasons, never an exception.
 */
export function verifyEmbeddedSignature(input: EmbeddedSignatureInput): EmbeddedSignatureResult {
  if (input.contents.every((b) => b === 0)) {
    return formatFailure('the signature dictionary has an empty /Contents: nothing was signed');
  }
  if (input.kind === 'document-timestamp') return verifyDocumentTimestamp(input);

  let sd: SignedDataInfo;
  let signer: SignerInfoData;
  try {
    sd = parseSignedData(input.contents);
    signer = onlySigner(sd);
  } catch (error) {
    if (error instanceof CmsFormatError) {
      return formatFailure(`the signature's CMS is malformed: ${error.message}`);
    }
    throw error;
  }

  const subFilter = input.subFilter ?? '(none)';
  const verdicts: Verdict[] = [];
  const reasons: string[] = [];
  let content = input.content;
  if (detachedSubFilters.has(subFilter)) {
    if (sd.encapContentInfo.hasEContent) {
      verdicts.push({ indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE' });
      reasons.push(
        `the ${subFilter} signature encapsulates content; a detached signature must sign the ByteRange only`,
      );
    }
  } else if (subFilter === 'adbe.pkcs7.sha1') {
    // ISO 32000-1 §12.8.3.3.1: the SHA-1 digest of the ByteRange is the encapsulated content.
    const eContent = sd.encapContentInfo.eContent;
    const expected = input.content.digest('sha1');
    if (eContent === undefined) {
      return formatFailure('the adbe.pkcs7.sha1 signature carries no encapsulated digest');
    }
    if (!eContent.equals(expected)) {
      verdicts.push({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
      reasons.push('the encapsulated SHA-1 digest does not match the signed byte ranges');
    }
    if (!input.policy.acceptedDigests.includes('sha1')) {
      verdicts.push({
        indication: 'INDETERMINATE',
        subIndication: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE',
      });
      reasons.push(
        'adbe.pkcs7.sha1 digests the document with SHA-1, which the policy does not accept',
      );
    }
    content = contentOf(eContent);
  } else {
    return formatFailure(`the SubFilter ${subFilter} is not supported for PDF signatures`);
  }

  const extraCertificates = [...input.intermediates, ...input.documentCertificates];
  const cms = verifySignerInfo(sd, signer, {
    content,
    extraCertificates,
    policy: input.policy,
  });
  verdicts.push(cms);
  reasons.push(...cms.reasons);

  const timestamp = verifySignatureTimestamp(signer, input);
  const claimed = signer.signedAttrs?.signingTime ?? parsePdfDate(input.claimedSigningTime);
  let signingTime: Date | undefined;
  let signingTimeSource: SignatureReport['signingTimeSource'] = 'none';
  if (timestamp?.indication === 'TOTAL_PASSED' && timestamp.genTime) {
    signingTime = timestamp.genTime;
    signingTimeSource = 'timestamp';
  } else {
    if (timestamp) {
      reasons.push(
        `the signature timestamp is not usable (${timestamp.indication}${timestamp.subIndication ? `/${timestamp.subIndication}` : ''}), so the signing time is unproven`,
        ...timestamp.reasons,
      );
    }
    if (claimed) {
      signingTime = claimed;
      signingTimeSource = 'claimed';
    }
  }
  if (input.policy.requireTimestamp && signingTimeSource !== 'timestamp') {
    verdicts.push({ indication: 'INDETERMINATE', subIndication: 'SIG_CONSTRAINTS_FAILURE' });
    reasons.push('the policy requires a trusted signature timestamp and there is none');
  }

  let signerOfReport: SignerSummary | undefined;
  let chain: readonly string[] = [];
  let revocation: SignatureReport['revocation'];
  if (cms.signerCertificate) {
    signerOfReport = signerSummary(cms.signerCertificate.der);
    const path = validateCertificatePath(cms.signerCertificate.der, {
      trustAnchors: input.trustAnchors,
      intermediates: [...sd.certificates, ...extraCertificates],
      crls: [...input.crls, ...input.documentCrls, ...crlsCarriedBy(sd, signer)],
      validationTime: input.validationTime,
      ...(signingTime
        ? { bestSignatureTime: { time: signingTime, proven: signingTimeSource === 'timestamp' } }
        : {}),
      purpose: 'signature',
      policy: input.policy,
    });
    verdicts.push(path);
    reasons.push(...path.reasons);
    chain = path.chainSubjects;
    revocation = path.revocation;
  }

  return result(
    worstVerdict(verdicts),
    {
      ...(signerOfReport ? { signer: signerOfReport } : {}),
      chain,
      ...(signingTime ? { signingTime: signingTime.toISOString() } : {}),
      signingTimeSource,
      digestAlgorithm: cms.digestAlgorithm,
      signatureAlgorithm: cms.signatureAlgorithm,
      ...(revocation ? { revocation } : {}),
    },
    reasons,
  );
}

function verifySignatureTimestamp(
  signer: SignerInfoData,
  input: EmbeddedSignatureInput,
): TimestampVerification | undefined {
  const [token] = signer.unsignedAttrs?.signatureTimeStampTokens ?? [];
  if (token === undefined) return undefined;
  return verifyTimestampToken(token, {
    timestamped: { signatureValue: signer.signature },
    trustAnchors: input.trustAnchors,
    intermediates: [...input.intermediates, ...input.documentCertificates],
    crls: [...input.crls, ...input.documentCrls],
    validationTime: input.validationTime,
    policy: input.policy,
  });
}

function verifyDocumentTimestamp(input: EmbeddedSignatureInput): EmbeddedSignatureResult {
  if (input.subFilter !== 'ETSI.RFC3161') {
    return formatFailure(
      `a document timestamp must have SubFilter ETSI.RFC3161, not ${input.subFilter ?? '(none)'}`,
    );
  }
  const ts = verifyTimestampToken(input.contents, {
    timestamped: { content: input.content },
    trustAnchors: input.trustAnchors,
    intermediates: [...input.intermediates, ...input.documentCertificates],
    crls: [...input.crls, ...input.documentCrls],
    validationTime: input.validationTime,
    policy: input.policy,
  });
  return result(
    ts,
    {
      ...(ts.tsa ? { signer: signerSummary(ts.tsa) } : {}),
      chain: ts.chain,
      ...(ts.genTime ? { signingTime: ts.genTime.toISOString() } : {}),
      signingTimeSource: ts.genTime ? 'timestamp' : 'none',
      ...(ts.cms ? { digestAlgorithm: ts.cms.digestAlgorithm } : {}),
      ...(ts.cms ? { signatureAlgorithm: ts.cms.signatureAlgorithm } : {}),
      ...(ts.path ? { revocation: ts.path.revocation } : {}),
    },
    ts.reasons,
  );
}

function signerSummary(certificate: Buffer | SignerSummary): SignerSummary {
  const s = Buffer.isBuffer(certificate) ? certificateSummary(certificate) : certificate;
  return {
    subject: s.subject,
    issuer: s.issuer,
    serialNumber: s.serialNumber,
    ...(s.commonName ? { commonName: s.commonName } : {}),
    ...(s.organization ? { organization: s.organization } : {}),
    ...(s.organizationalUnit ? { organizationalUnit: s.organizationalUnit } : {}),
    ...(s.country ? { country: s.country } : {}),
  };
}
