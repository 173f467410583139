import { createHash } from 'node:crypto';

/** What the uploader declared when it asked for the upload URL. */
export interface UploadExpectation {
  readonly maxBytes: number;
  /** Lower-case hex SHA-256 the uploader declared, when known. */
  readonly sha256?: string;
}

export type UploadProblem = 'EMPTY' | 'TOO_LARGE' | 'NOT_A_PDF' | 'CHECKSUM_MISMATCH';

export interface UploadInspection {
  readonly size: number;
  readonly sha256: string;
  readonly problems: readonly { readonly code: UploadProblem; readonly message: string }[];
}

/** PDF files may have up to 1024 bytes of junk before the header (ISO 32000-1 §7.5.2 readers). */
const HEADER_WINDOW = 1024;

/**
 * The intake checks that protect every later step, whatever the upload channel enforced:
 * S3 POST policies and the local emulators may not have checked size, type or checksum.
 */
export function inspectUpload(bytes: Buffer, expected: UploadExpectation): UploadInspection {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const problems: { code: UploadProblem; message: string }[] = [];
  if (bytes.length === 0) {
    problems.push({ code: 'EMPTY', message: 'the uploaded file is empty' });
  }
  if (bytes.length > expected.maxBytes) {
    problems.push({
      code: 'TOO_LARGE',
      message: `the file has ${bytes.length} bytes, more than the ${expected.maxBytes} allowed`,
    });
  }
  if (bytes.length > 0 && bytes.subarray(0, HEADER_WINDOW).indexOf('%PDF-') < 0) {
    problems.push({ code: 'NOT_A_PDF', message: 'the file does not start with a %PDF- header' });
  }
  if (expected.sha256 !== undefined && expected.sha256.toLowerCase() !== sha256) {
    problems.push({
      code: 'CHECKSUM_MISMATCH',
      message: `SHA-256 ${sha256} differs from the declared ${expected.sha256.toLowerCase()}`,
    });
  }
  return { size: bytes.length, sha256, problems };
}
