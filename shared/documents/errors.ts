import { DomainError } from '../errors.ts';
import type { FieldError } from './field-errors.ts';

/**
 * Refusals of the status and administration API. The handler maps each class to one HTTP status
 * and error code; messages are written for the caller and may be shown as they are.
 */

/** Unknown, or not the caller's to see: both answer the same so existence does not leak. */
export class DocumentNotFoundError extends DomainError {
  constructor(id: string) {
    super(`document ${id} does not exist`);
  }
}

/** The caller may see the document but not do this with it. */
export class AccessDeniedError extends DomainError {}

export class InvalidRequestError extends DomainError {
  readonly details: readonly FieldError[];

  constructor(details: readonly FieldError[], message = 'the request is not valid') {
    super(message);
    this.details = details;
  }
}

export class InvalidCursorError extends DomainError {
  constructor(options?: { cause?: unknown }) {
    super('the cursor is not one this list returned; start again without it', options);
  }
}

export class NotCountersignedError extends DomainError {
  constructor(id: string) {
    super(`document ${id} has no countersigned file yet`);
  }
}

/** The delivery model forbids the step, or another report moved the delivery first. */
export class DeliveryTransitionError extends DomainError {
  readonly from: string;
  readonly to: string;

  constructor(from: string, to: string, options?: { cause?: unknown }) {
    super(`a delivery in state ${from} cannot move to ${to}`, options);
    this.from = from;
    this.to = to;
  }
}

export class NothingToRecallError extends DomainError {
  constructor(id: string) {
    super(`no delivery of document ${id} can still be recalled`);
  }
}

export class ApprovalNotFoundError extends DomainError {
  constructor(phaseId: string) {
    super(`no approval was requested for phase ${phaseId}`);
  }
}

export class ApprovalNotPendingError extends DomainError {
  constructor(phaseId: string) {
    super(`the approval of phase ${phaseId} is already decided`);
  }
}

/** The execution no longer waits on the token (timed out, stopped, or already answered). */
export class ApprovalTaskClosedError extends DomainError {
  constructor(options?: { cause?: unknown }) {
    super('the rollout no longer waits for this decision', options);
  }
}

/** The deployment has no rollout state machine to answer. */
export class ApprovalsUnavailableError extends DomainError {
  constructor() {
    super('rollout approvals are not configured in this deployment');
  }
}

export class ReportNotFoundError extends DomainError {
  constructor(key?: string) {
    super(key === undefined ? 'no such report' : `no report is stored under ${key}`);
  }
}

/** The deployment gives the API no reports bucket. */
export class ReportsUnavailableError extends DomainError {
  constructor() {
    super('rollout reports are not configured in this deployment');
  }
}

/**
 * The delivery's status is recorded but could not be handed to the national axis outbox. The
 * same report repeated hands it over again without changing the delivery.
 */
export class AxisRelayError extends DomainError {
  constructor(id: string, options?: { cause?: unknown }) {
    super(
      `the status of document ${id} is recorded but not yet passed to the national axis; repeat the same report`,
      options,
    );
  }
}

/** No agency with this code in the directory (`/admin/agencies/{code}/…`). */
export class UnknownAgencyError extends DomainError {
  constructor(code: string) {
    super(`no agency ${code} in the directory`);
  }
}

/** A certificate is offered for an agency that has no key waiting for one. */
export class NoPendingKeyError extends DomainError {
  constructor(code: string) {
    super(
      `agency ${code} has no key waiting for a certificate; provision one with POST /admin/agencies/${code}/key first`,
    );
  }
}

/** The offered chain cannot serve as the agency's organization certificate; `details` say why. */
export class CertificateRefusedError extends DomainError {
  readonly details: readonly FieldError[];

  constructor(reasons: readonly string[]) {
    super(`the certificate chain is refused: ${reasons.join('; ')}`);
    this.details = reasons.map((message) => ({ field: 'chain', message }));
  }
}

/** The deployment gives the API no stage to tag organization keys with (`KEY_STAGE`). */
export class AgencyKeysUnavailableError extends DomainError {
  constructor() {
    super('organization key provisioning is not configured in this deployment');
  }
}
