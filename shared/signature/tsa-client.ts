import { createHash, randomBytes } from 'node:crypto';
import { DomainError } from '#shared/errors.ts';
import {
  boolean,
  childAt,
  childrenOf,
  type DerNode,
  decodeInteger,
  decodeOid,
  derNull,
  integer,
  octetString,
  oid,
  readDer,
  sequence,
  Tag,
} from './der.ts';

const sha256 = '2.16.840.1.101.3.4.2.1';
const idSignedData = '1.2.840.113549.1.7.2';
const idTstInfo = '1.2.840.113549.1.9.16.1.4';

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
    const nonce = randomBytes(8);
    const request = sequence(
      integer(1),
      // NULL parameters, as `openssl ts -query` sends them: some TSAs compare the identifier bytes.
      sequence(sequence(oid(sha256), derNull()), octetString(imprint)),
      ...(this.#options.policyId ? [oid(this.#options.policyId)] : []),
      integer(nonce),
      boolean(true),
    );
    const response = await this.#post(request);
    return parseResponse(response, imprint, BigInt(`0x${nonce.toString('hex')}`));
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

function parseResponse(response: Buffer, imprint: Buffer, nonce: bigint): Buffer {
  let tstInfo: DerNode;
  let token: Buffer;
  try {
    const resp = readDer(response);
    const statusInfo = childAt(resp, 0, Tag.sequence);
    const status = Number(decodeInteger(childAt(statusInfo, 0, Tag.integer)));
    if (status !== 0 && status !== 1) {
      const text = childrenOf(statusInfo)
        .filter((n) => n.tag === Tag.sequence)
        .flatMap((n) => childrenOf(n).map((s) => s.content.toString('utf8')))
        .join('; ');
      throw new TsaError(
        `TSA refused the request: ${statusText[status] ?? `status ${status}`}${text ? ` (${text})` : ''}`,
      );
    }
    const tokenNode = childAt(resp, 1, Tag.sequence);
    token = tokenNode.raw;
    tstInfo = readTstInfo(tokenNode);
  } catch (error) {
    if (error instanceof TsaError) throw error;
    throw new TsaError('TSA answered a malformed TimeStampResp', { cause: error });
  }
  const fields = childrenOf(tstInfo);
  const messageImprint = fields[2];
  const hashedMessage = messageImprint && childAt(messageImprint, 1, Tag.octetString).content;
  const algorithm = messageImprint && decodeOid(childAt(childAt(messageImprint, 0), 0, Tag.oid));
  if (algorithm !== sha256 || !hashedMessage?.equals(imprint)) {
    throw new TsaError('the timestamp covers a different message imprint');
  }
  // After genTime (index 4) come optional accuracy (SEQUENCE), ordering (BOOLEAN), then nonce.
  const returned = fields.slice(5).find((n) => n.tag === Tag.integer);
  if (returned === undefined || decodeInteger(returned) !== nonce) {
    throw new TsaError('the timestamp does not carry the request nonce (a replayed response?)');
  }
  return Buffer.from(token);
}

/** The TSTInfo inside a TimeStampToken: ContentInfo → SignedData → eContent. */
function readTstInfo(token: DerNode): DerNode {
  if (decodeOid(childAt(token, 0, Tag.oid)) !== idSignedData) {
    throw new TsaError('timestamp token is not SignedData');
  }
  const signedData = childAt(childAt(token, 1, 0xa0), 0, Tag.sequence);
  const encap = childAt(signedData, 2, Tag.sequence);
  if (decodeOid(childAt(encap, 0, Tag.oid)) !== idTstInfo) {
    throw new TsaError('timestamp token does not hold a TSTInfo');
  }
  if (!childrenOf(signedData).some((n) => n.tag === 0xa0)) {
    throw new TsaError('timestamp token lacks the TSA certificate that certReq asked for');
  }
  const eContent = childAt(childAt(encap, 1, 0xa0), 0);
  const octets =
    eContent.tag === Tag.octetString
      ? eContent.content
      : Buffer.concat(childrenOf(eContent).map((n) => n.content));
  return readDer(octets);
}
