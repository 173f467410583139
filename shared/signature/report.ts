/**
 * Validation report in the vocabulary of ETSI EN 319 102-1 (indications and sub-indications), so
 * administrators and other validators (DSS, pyHanko) read our verdicts the same way.
 */

export type Indication = 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE';

export type SubIndication =
  | 'FORMAT_FAILURE'
  | 'HASH_FAILURE'
  | 'SIG_CRYPTO_FAILURE'
  | 'REVOKED'
  | 'NOT_YET_VALID'
  | 'SIG_CONSTRAINTS_FAILURE'
  | 'CHAIN_CONSTRAINTS_FAILURE'
  | 'CERTIFICATE_CHAIN_GENERAL_FAILURE'
  | 'CRYPTO_CONSTRAINTS_FAILURE'
  | 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE'
  | 'EXPIRED'
  | 'NO_SIGNING_CERTIFICATE_FOUND'
  | 'NO_CERTIFICATE_CHAIN_FOUND'
  | 'REVOKED_NO_POE'
  | 'OUT_OF_BOUNDS_NO_POE'
  | 'OUT_OF_BOUNDS_NOT_REVOKED'
  | 'TRY_LATER'
  | 'SIGNED_DATA_NOT_FOUND'
  | 'TIMESTAMP_ORDER_FAILURE'
  | 'NO_POE'
  | 'NO_SIGNATURE';

export interface Verdict {
  readonly indication: Indication;
  readonly subIndication?: SubIndication;
}

export interface SignerSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly commonName?: string;
  readonly organization?: string;
  readonly organizationalUnit?: string;
  readonly country?: string;
}

export interface CoverageSummary {
  readonly byteRange: readonly number[];
  /** The revision whose end the ByteRange reaches, when it reaches one. */
  readonly revision?: number;
  /** True when the signature covers the whole file as it is (nothing was appended after it). */
  readonly coversWholeFile: boolean;
  readonly problems: readonly string[];
}

export interface ModificationSummary {
  readonly level: 'NONE' | 'LTA_UPDATES' | 'FORM_FILLING' | 'ANNOTATIONS' | 'OTHER';
  readonly allowed: boolean;
  readonly descriptions: readonly string[];
}

export interface SignatureReport extends Verdict {
  readonly fieldName: string;
  readonly kind: 'signature' | 'document-timestamp';
  readonly subFilter?: string;
  readonly signer?: SignerSummary;
  /** Certificates from the signer up to the trust anchor, as subjects. */
  readonly chain: readonly string[];
  readonly signingTime?: string;
  readonly signingTimeSource: 'timestamp' | 'claimed' | 'none';
  readonly digestAlgorithm?: string;
  readonly signatureAlgorithm?: string;
  readonly coverage: CoverageSummary;
  readonly modifications?: ModificationSummary;
  readonly revocation?: 'good' | 'revoked' | 'unknown';
  readonly reasons: readonly string[];
}

export interface ValidationReport extends Verdict {
  readonly validationTime: string;
  readonly revisions: number;
  readonly signatures: readonly SignatureReport[];
  readonly reasons: readonly string[];
}

const severity = (v: Verdict): number =>
  v.indication === 'TOTAL_FAILED' ? 2 : v.indication === 'INDETERMINATE' ? 1 : 0;

/**
 * The document's verdict: TOTAL_PASSED only when it has at least one signature and every one
 * passed; otherwise the worst signature's verdict (failure before indeterminate).
 */
export function overallVerdict(signatures: readonly Verdict[]): Verdict {
  if (signatures.length === 0) return { indication: 'TOTAL_FAILED', subIndication: 'NO_SIGNATURE' };
  let worst: Verdict = { indication: 'TOTAL_PASSED' };
  for (const s of signatures) if (severity(s) > severity(worst)) worst = s;
  return worst.subIndication === undefined
    ? { indication: worst.indication }
    : { indication: worst.indication, subIndication: worst.subIndication };
}
