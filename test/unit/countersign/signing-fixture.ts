import { generateKeyPairSync } from 'node:crypto';
import { openPdf } from '#pdf/document.ts';
import { findSignatures, type SignatureField } from '#pdf/signatures.ts';
import { onlySigner, parseSignedData } from '#signature/cms.ts';
import { byteRangeContent, type CoverageResult, checkCoverage } from '#signature/coverage.ts';
import { FileSigner } from '#signature/signers/file-signer.ts';
import { type CmsVerification, verifySignerInfo } from '#signature/verify-cms.ts';
import { makeTestPki, type TestPki } from '#test/support/signing-pki.ts';

/** The organization's key and certificate chain under a throw-away test PKI. */
export interface OrgIdentity {
  readonly pki: TestPki;
  readonly keyPem: string;
  readonly signer: FileSigner;
  readonly chain: Buffer[];
}

export const ORG_CN = 'Văn phòng UBND tỉnh Quảng Ngãi';

export function makeOrgIdentity(kind: 'rsa' | 'P-256' = 'rsa'): OrgIdentity {
  const pki = makeTestPki();
  const pair =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: kind });
  const keyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const chain = pki.issue(keyPem, `/C=VN/O=UBND tỉnh Quảng Ngãi/CN=${ORG_CN}`);
  return { pki, keyPem, signer: new FileSigner(keyPem), chain };
}

/** What our own reader and verifier say of one signature of a file. */
export interface SignatureCheck {
  readonly field: SignatureField;
  readonly coverage: CoverageResult;
  readonly cms: CmsVerification;
}

/** Every signature of `pdf`, each checked for coverage and CMS integrity over its ByteRange. */
export function checkSignatures(pdf: Buffer): SignatureCheck[] {
  const doc = openPdf(pdf);
  const revisionEnds = doc.revisions.map((r) => r.endOffset);
  return findSignatures(doc).map((field) => checkField(pdf, field, revisionEnds));
}

/** One signature field of `pdf` checked, or undefined when the file has no such signed field. */
export function checkSignature(pdf: Buffer, fieldName: string): SignatureCheck | undefined {
  const doc = openPdf(pdf);
  const field = findSignatures(doc).find((f) => f.fieldName === fieldName);
  return (
    field &&
    checkField(
      pdf,
      field,
      doc.revisions.map((r) => r.endOffset),
    )
  );
}

function checkField(
  pdf: Buffer,
  field: SignatureField,
  revisionEnds: readonly number[],
): SignatureCheck {
  const coverage = checkCoverage({
    fileLength: pdf.length,
    byteRange: field.byteRange,
    revisionEnds,
    ...(field.contentsSpan ? { contentsSpan: field.contentsSpan } : {}),
  });
  const sd = parseSignedData(field.contents);
  const cms = verifySignerInfo(sd, onlySigner(sd), {
    content: byteRangeContent(pdf, field.byteRange),
  });
  return { field, coverage, cms };
}
