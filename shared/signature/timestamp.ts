import { createHash } from 'node:crypto';
import forge from 'node-forge';
import {
  type Asn1,
  algorithmOf,
  booleanOf,
  childrenOf,
  derOf,
  integerHexOf,
  isContext,
  isUniversal,
  octetsOf,
  oidName,
  oidOf,
  parseDer,
  sequenceOf,
  smallIntegerOf,
  timeOf,
  Universal,
} from './asn1.ts';
import {
  type CertificateSummary,
  certificateSummary,
  type PathValidation,
  validateCertificatePath,
} from './certificates.ts';
import {
  CmsFormatError,
  Oids,
  onlySigner,
  parseSignedData,
  type SignedDataInfo,
  type SignerInfoData,
} from './cms.ts';
import { DEFAULT_POLICY, type ValidationPolicy } from './policy.ts';
import type { Verdict } from './report.ts';
import {
  type CmsVerification,
  contentOf,
  hashOfOid,
  type SignedContent,
  verifySignerInfo,
  worstVerdict,
} from './verify-cms.ts';

/** RFC 3161 §2.4.2 TSTInfo, the content a time-stamping authority signs. */
export interface TstInfo {
  readonly version: number;
  readonly policy: string;
  readonly messageImprint: { readonly hashAlgorithmOid: string; readonly hashedMessage: Buffer };
  readonly serialHex: string;
  readonly genTime: Date;
  /** Accuracy in milliseconds, when stated. */
  readonly accuracyMs?: number;
  readonly ordering: boolean;
  readonly nonceHex?: string;
  /** DER of the tsa GeneralName, when present. */
  readonly tsaNameDer?: Buffer;
}

export interface TimestampToken {
  readonly signedData: SignedDataInfo;
  readonly signer: SignerInfoData;
  readonly tstInfo: TstInfo;
  /** The DER TSTInfo as encapsulated: the content the token's signature covers. */
  readonly tstInfoDer: Buffer;
}

/**
 * Parses an RFC 3161 TimeStampToken: a CMS SignedData with one signer whose encapsulated content
 * is a TSTInfo. Raises `CmsFormatError` for anything else.
 */
export function parseTimestampToken(der: Buffer): TimestampToken {
  const signedData = parseSignedData(der);
  const signer = onlySigner(signedData);
  const { eContentType, eContent } = signedData.encapContentInfo;
  if (eContentType !== Oids.tstInfo) {
    throw new CmsFormatError(`the token encapsulates ${oidName(eContentType)}, not a TSTInfo`);
  }
  if (eContent === undefined) throw new CmsFormatError('the token carries no TSTInfo');
  try {
    return { signedData, signer, tstInfo: readTstInfo(parseDer(eContent)), tstInfoDer: eContent };
  } catch (error) {
    if (error instanceof CmsFormatError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new CmsFormatError(`malformed TSTInfo: ${message}`, { cause: error });
  }
}

function readTstInfo(node: Asn1): TstInfo {
  const items = [...sequenceOf(node, 'TSTInfo')];
  const version = smallIntegerOf(items.shift(), 'TSTInfo version');
  const policy = oidOf(items.shift(), 'TSTInfo policy');
  const [algorithm, hashed] = sequenceOf(items.shift(), 'MessageImprint');
  const messageImprint = {
    hashAlgorithmOid: algorithmOf(algorithm, 'MessageImprint hashAlgorithm').oid,
    hashedMessage: octetsOf(hashed, 'MessageImprint hashedMessage'),
  };
  const serialHex = integerHexOf(items.shift(), 'TSTInfo serialNumber');
  const genTimeNode = items.shift();
  if (!isUniversal(genTimeNode, Universal.generalizedTime)) {
    throw new CmsFormatError('TSTInfo genTime must be a GeneralizedTime');
  }
  const genTime = timeOf(genTimeNode, 'genTime');
  const accuracyMs = isUniversal(items[0], Universal.sequence)
    ? readAccuracy(items.shift())
    : undefined;
  const ordering = isUniversal(items[0], Universal.boolean)
    ? booleanOf(items.shift(), 'ordering')
    : false;
  const nonceHex = isUniversal(items[0], Universal.integer)
    ? integerHexOf(items.shift(), 'nonce')
    : undefined;
  const tsaNode = isContext(items[0], 0) ? items.shift() : undefined;
  const [tsaName] = tsaNode ? childrenOf(tsaNode, 'tsa') : [];
  return {
    version,
    policy,
    messageImprint,
    serialHex,
    genTime,
    ...(accuracyMs === undefined ? {} : { accuracyMs }),
    ordering,
    ...(nonceHex === undefined ? {} : { nonceHex }),
    ...(tsaName ? { tsaNameDer: derOf(tsaName) } : {}),
  };
}

function readAccuracy(node: Asn1 | undefined): number {
  let ms = 0;
  for (const field of sequenceOf(node, 'Accuracy')) {
    if (isUniversal(field, Universal.integer)) ms += smallIntegerOf(field, 'seconds') * 1000;
    else if (isContext(field, 0)) ms += smallIntegerOf(asInteger(field), 'millis');
    else if (isContext(field, 1)) ms += smallIntegerOf(asInteger(field), 'micros') / 1000;
  }
  return ms;
}

/** An IMPLICIT [n] INTEGER read as the INTEGER it replaces. */
function asInteger(node: Asn1): Asn1 {
  return forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.INTEGER, false, node.value);
}

/** What the token's message imprint must be the hash of. */
export type TimestampedData =
  /** A signature timestamp (PAdES B-T): the SignerInfo's signature value. */
  | { readonly signatureValue: Buffer }
  /** A document timestamp (/DocTimeStamp): the ByteRange, digested by the caller. */
  | { readonly content: SignedContent };

export interface TimestampOptions {
  readonly timestamped: TimestampedData;
  readonly trustAnchors: readonly Buffer[];
  readonly intermediates?: readonly Buffer[];
  readonly crls?: readonly Buffer[];
  readonly validationTime: Date;
  /** @default DEFAULT_POLICY */
  readonly policy?: ValidationPolicy;
}

export interface TimestampVerification extends Verdict {
  /** The time the token attests, once the token parses (trust it only when TOTAL_PASSED). */
  readonly genTime?: Date;
  readonly tstInfo?: TstInfo;
  readonly messageImprint: 'match' | 'mismatch' | 'not-checked';
  readonly tsa?: CertificateSummary;
  readonly chain: readonly string[];
  readonly cms?: CmsVerification;
  readonly path?: PathValidation;
  readonly reasons: readonly string[];
}

/**
 * Verifies an RFC 3161 TimeStampToken: its message imprint against the timestamped data, its CMS
 * signature over the TSTInfo (with the same checks as any signer), and the TSA certificate's
 * path to a trust anchor with the timeStamping extended key usage.
 */
export function verifyTimestampToken(
  token: Buffer,
  options: TimestampOptions,
): TimestampVerification {
  let parsed: TimestampToken;
  try {
    parsed = parseTimestampToken(token);
  } catch (error) {
    if (!(error instanceof CmsFormatError)) throw error;
    return {
      indication: 'TOTAL_FAILED',
      subIndication: 'FORMAT_FAILURE',
      messageImprint: 'not-checked',
      chain: [],
      reasons: [`the timestamp token is malformed: ${error.message}`],
    };
  }
  const policy = options.policy ?? DEFAULT_POLICY;
  const { tstInfo, signedData, signer } = parsed;
  const reasons: string[] = [];
  const verdicts: Verdict[] = [];

  const imprint = checkImprint(tstInfo, options.timestamped, policy);
  if (imprint.reason) reasons.push(imprint.reason);
  if (imprint.verdict) verdicts.push(imprint.verdict);

  const cms = verifySignerInfo(signedData, signer, {
    content: contentOf(parsed.tstInfoDer),
    extraCertificates: options.intermediates ?? [],
    policy,
  });
  verdicts.push(cms);
  reasons.push(...cms.reasons.map((r) => `timestamp: ${r}`));

  let path: PathValidation | undefined;
  if (cms.signerCertificate) {
    path = validateCertificatePath(cms.signerCertificate.der, {
      trustAnchors: options.trustAnchors,
      intermediates: [...signedData.certificates, ...(options.intermediates ?? [])],
      crls: [...signedData.crls, ...(options.crls ?? [])],
      validationTime: options.validationTime,
      bestSignatureTime: { time: tstInfo.genTime, proven: false },
      purpose: 'timestamping',
      policy,
    });
    verdicts.push(path);
    reasons.push(...path.reasons.map((r) => `timestamp authority: ${r}`));
  }
  const verdict = worstVerdict(verdicts);
  return {
    ...verdict,
    genTime: tstInfo.genTime,
    tstInfo,
    messageImprint: imprint.result,
    ...(cms.signerCertificate ? { tsa: certificateSummary(cms.signerCertificate.der) } : {}),
    chain: path?.chainSubjects ?? [],
    cms,
    ...(path ? { path } : {}),
    reasons,
  };
}

function checkImprint(
  tstInfo: TstInfo,
  timestamped: TimestampedData,
  policy: ValidationPolicy,
): { result: TimestampVerification['messageImprint']; verdict?: Verdict; reason?: string } {
  const { hashAlgorithmOid, hashedMessage } = tstInfo.messageImprint;
  const hash = hashOfOid(hashAlgorithmOid);
  if (hash === undefined || hash === 'shake256') {
    return {
      result: 'not-checked',
      verdict: { indication: 'INDETERMINATE', subIndication: 'CRYPTO_CONSTRAINTS_FAILURE' },
      reason: `timestamp: message imprint algorithm ${oidName(hashAlgorithmOid)} is not supported`,
    };
  }
  const expected =
    'signatureValue' in timestamped
      ? createHash(hash).update(timestamped.signatureValue).digest()
      : timestamped.content.digest(hash);
  if (!expected.equals(hashedMessage)) {
    return {
      result: 'mismatch',
      verdict: { indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' },
      reason: `timestamp: the message imprint is not the ${hash} of the timestamped data`,
    };
  }
  if (!policy.acceptedDigests.includes(hash)) {
    return {
      result: 'match',
      verdict: { indication: 'INDETERMINATE', subIndication: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE' },
      reason: `timestamp: ${hash} is not an accepted hash for the message imprint`,
    };
  }
  return { result: 'match' };
}
