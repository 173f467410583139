import { createHash, randomBytes } from 'node:crypto';
import { DomainError } from '#shared/errors.ts';
import {
  Asn1FormatError,
  bytesOf,
  derOf,
  isUniversal,
  parseDer,
  sequenceOf,
  smallIntegerOf,
  Universal,
} from './asn1.ts';
import { CmsFormatError } from './cms.ts';
import { boolean, derNull, integer, octetString, oid, sequence } from './der.ts';
import { parseTimestampToken, type TstInfo } from './timestamp.ts';

const sha256 = '2.16.840.1.101.3.4.2.1';

/** The time-stamping authority refused the request or answered something unusable. */
export class TsaError extends DomainError {}

/** The TSA could not be reached or answered 5xx/429: retry later. */
export class TsaUnavailableError extends TsaError {
  readonly retryable = true;
}

export interface TsaClientOptions {
  /** The TSA's HTTP(S) endpoint (RFC 3161 §3.4, POST of application/timestamp-query). */
  readonly url: string;
  /** TSA policy to request (reqPolicy); omitted, the TSA applies its default. */
  readonly policyId?: string;
  /** Extra request headers, e.g. Authorization for a TSA that requires an account. */
  readonly headers?: Readonly<Record<string, string>>;
  /** @default 10_000 */
  readonly timeoutMs?: number;
}

/**
 * RFC 3161 client for PAdES B-T signature timestamps. It checks what binds the answer to this
 * request (status, nonce, message imprint) and returns the token unverified: the TSA's signature
 * and certificate are judged by the validation side, with the rest of the document.
 */
export class TsaClient {
  readonly #options: TsaClientOptions;

  constructor(options: TsaClientOptions) {
    this.#options = options;
  }

  /** A TimeStampToken (ContentInfo DER) over SHA-256 of `data`, e.g. a CMS signature value. */
  async timestamp(data: Buffer): Promise<Buffer> {
    const imprint = createHash('sha256').update(data).digest();
    // `integer` writes the minimal two's complement, the form `TstInfo.nonceHex` is read in; the
    // 8-byte nonce keeps the length in one byte, so the content starts at offset 2.
    const nonce = integer(randomBytes(8));
    const request = sequence(
      integer(1),
      // NULL parameters, as `openssl ts -query` sends them: some TSAs compare the identifier bytes.
      sequence(sequence(oid(sha256), derNull()), octetString(imprint)),
      ...(this.#options.policyId ? [oid(this.#options.policyId)] : []),
      nonce,
      boolean(true),
    );
    const response = await this.#post(request);
    return parseResponse(response, imprint, nonce.subarray(2).toString('hex'));
  }

  async #post(body: Buffer): Promise<Buffer> {
    let response: Response;
    try {
      response = await fetch(this.#options.url, {
        method: 'POST',
        headers: { ...this.#options.headers, 'content-type': 'application/timestamp-query' },
        body,
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new TsaUnavailableError('TSA not reachable', { cause: error });
    }
    if (response.status >= 500 || response.status === 429) {
      throw new TsaUnavailableError(`TSA answered HTTP ${response.status}`);
    }
    if (!response.ok) throw new TsaError(`TSA answered HTTP ${response.status}`);
    try {
      return Buffer.from(await response.arrayBuffer());
    } catch (error) {
      throw new TsaUnavailableError('TSA response interrupted', { cause: error });
    }
  }
}

const statusText: Record<number, string> = {
  2: 'rejection',
  3: 'waiting',
  4: 'revocationWarning',
  5: 'revocationNotification',
};

function parseResponse(response: Buffer, imprint: Buffer, nonceHex: string): Buffer {
  let tstInfo: TstInfo;
  let token: Buffer;
  try {
    // Bytes after the TimeStampResp are ignored, as they are not part of what the TSA signed.
    const [statusInfo, tokenNode] = sequenceOf(
      parseDer(response, { allowTrailingBytes: true }),
      'TimeStampResp',
    );
    const [statusNode, statusStrings] = sequenceOf(statusInfo, 'PKIStatusInfo');
    const status = smallIntegerOf(statusNode, 'PKIStatus');
    if (status !== 0 && status !== 1) {
      const text = isUniversal(statusStrings, Universal.sequence)
        ? sequenceOf(statusStrings, 'PKIFreeText')
            .map((s) => bytesOf(s, 'PKIFreeText').toString('utf8'))
            .join('; ')
        : '';
      throw new TsaError(
        `TSA refused the request: ${statusText[status] ?? `status ${status}`}${text ? ` (${text})` : ''}`,
      );
    }
    if (tokenNode === undefined) throw new TsaError('TSA granted the request but sent no token');
    token = derOf(tokenNode);
    const parsed = parseTimestampToken(token);
    if (parsed.signedData.certificates.length === 0) {
      throw new TsaError('timestamp token lacks the TSA certificate that certReq asked for');
    }
    tstInfo = parsed.tstInfo;
  } catch (error) {
    if (error instanceof TsaError) throw error;
    if (error instanceof Asn1FormatError || error instanceof CmsFormatError) {
      throw new TsaError(`TSA answered a malformed TimeStampResp: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
  const { hashAlgorithmOid, hashedMessage } = tstInfo.messageImprint;
  if (hashAlgorithmOid !== sha256 || !hashedMessage.equals(imprint)) {
    throw new TsaError('the timestamp covers a different message imprint');
  }
  if (tstInfo.nonceHex !== nonceHex) {
    throw new TsaError('the timestamp does not carry the request nonce (a replayed response?)');
  }
  return Buffer.from(token);
}
