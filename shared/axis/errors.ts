import { DomainError } from '../errors.ts';

/** Anything that went wrong talking to the national axis. */
export class AxisError extends DomainError {}

/**
 * The axis answered and refused this request (a bad package, an unknown recipient or document).
 * Sending the same request again gives the same answer: the caller records the failure instead.
 */
export class AxisRejectedError extends AxisError {
  readonly retryable = false;
  /** The axis's error code, or `HTTP_<status>` when the answer carried none. */
  readonly code: string;
  readonly httpStatus: number;

  constructor(code: string, message: string, httpStatus: number, options?: { cause?: unknown }) {
    super(`axis refused the request (${code}): ${message}`, options);
    this.code = code;
    this.httpStatus = httpStatus;
  }
}

/**
 * The axis could not be reached or did not answer usefully (network error, timeout, 408/429/5xx,
 * an unreadable answer). Retry later; a queue's redelivery does that with back-off.
 */
export class AxisUnavailableError extends AxisError {
  readonly retryable = true;
}

/**
 * The axis refused our credentials (401/403). Not the document's fault: retried like an outage, so
 * the messages wait (and end in the DLQ) until the system id or secret is fixed, instead of every
 * document being marked failed.
 */
export class AxisAuthenticationError extends AxisUnavailableError {}

/** Another poller took over an axis message this one held (its lease ran out): stop touching it. */
export class LostClaimError extends AxisError {}
