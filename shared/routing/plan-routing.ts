import { DomainError } from '../errors.ts';
import type { DocumentTypeCatalogue } from './catalogue.ts';
import type { AgencyDirectory, Channel } from './directory.ts';
import { isEnrolled, type RolloutPolicy } from './rollout-policy.ts';

export type RefusalReason = 'unknown-agency' | 'channel-closed' | 'not-enrolled';

export type RecipientRoute =
  | { readonly recipient: string; readonly channel: Channel; readonly deliverable: true }
  | {
      readonly recipient: string;
      readonly channel?: Channel;
      readonly deliverable: false;
      readonly reason: RefusalReason;
      readonly message: string;
    };

/** What routing needs to know of a document. */
export interface RoutableDocument {
  readonly typeCode: string;
  readonly secrecy: string;
  readonly recipients: readonly string[];
}

/**
 * `route`: send to every deliverable recipient; the others get a delivery record in a failed state
 * and the issuer is told the same day (Decree 30/2020), so its văn thư sends them the paper copy.
 * `none-deliverable`: nothing can go out electronically; the document is rejected with the reasons.
 */
export interface RoutingPlan {
  readonly outcome: 'route' | 'none-deliverable';
  readonly routes: readonly RecipientRoute[];
  /** The paper original must still be posted to every recipient. */
  readonly paperCopyRequired: boolean;
  /** Recipients that must receive paper: all of them, or only those not deliverable. */
  readonly paperRecipients: readonly string[];
}

/** A document marked secret reached routing; intake refuses those, so this is a defect. */
export class SecretDocumentError extends DomainError {}

/**
 * Decides, per recipient, whether and how the document goes out in the current rollout phase.
 *
 * Partial delivery is the rule: the document has been numbered, signed and countersigned, it is
 * already a legal original, so refusing all of it because one recipient is not yet reachable would
 * delay (possibly Hỏa tốc) delivery to the others and force a re-issue under a new number. Each
 * recipient is a separate delivery, as on the national axis, and the unreachable ones are reported
 * to the issuer for paper delivery.
 *
 * Recipients on the national axis need only the axis to be open: enrolment concerns the
 * province's own agencies, whose inboxes are switched on phase by phase.
 */
export function planRouting(
  document: RoutableDocument,
  context: {
    readonly directory: AgencyDirectory;
    readonly catalogue: DocumentTypeCatalogue;
    readonly policy: RolloutPolicy;
  },
): RoutingPlan {
  if (document.secrecy !== 'none') {
    throw new SecretDocumentError('a document marked secret must never be routed');
  }
  const { directory, catalogue, policy } = context;
  const routes = document.recipients.map((recipient): RecipientRoute => {
    const agency = directory.find(recipient);
    if (!agency) {
      return {
        recipient,
        deliverable: false,
        reason: 'unknown-agency',
        message: `${recipient} is not in the agency directory`,
      };
    }
    const channel = agency.channel;
    if (!policy.channelsOpen.includes(channel)) {
      return {
        recipient,
        channel,
        deliverable: false,
        reason: 'channel-closed',
        message: `the ${channel} channel is not open in phase ${policy.phaseId}`,
      };
    }
    if (channel === 'province' && !isEnrolled(policy, recipient)) {
      return {
        recipient,
        channel,
        deliverable: false,
        reason: 'not-enrolled',
        message: `${agency.name} does not receive e-documents in phase ${policy.phaseId}`,
      };
    }
    return { recipient, channel, deliverable: true };
  });
  const paperCopyRequired = !isElectronicOnly(document.typeCode, catalogue, policy);
  const undeliverable = routes.filter((r) => !r.deliverable).map((r) => r.recipient);
  return {
    outcome: routes.some((r) => r.deliverable) ? 'route' : 'none-deliverable',
    routes,
    paperCopyRequired,
    paperRecipients: paperCopyRequired ? [...document.recipients] : undeliverable,
  };
}

/**
 * Electronic-only needs both the catalogue and the phase to say so: during a pilot a type may be
 * electronic-only in the catalogue and still be posted on paper. An unknown type gets paper.
 */
function isElectronicOnly(
  typeCode: string,
  catalogue: DocumentTypeCatalogue,
  policy: RolloutPolicy,
): boolean {
  const type = catalogue.find(typeCode);
  if (type?.issuanceForm !== 'electronic-only') return false;
  return (
    policy.electronicOnlyTypes === 'catalogue' || policy.electronicOnlyTypes.includes(typeCode)
  );
}
