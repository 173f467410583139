import type { DocumentStore } from '../ports/document-store.ts';
import type { Signer } from '../ports/signer.ts';
import type { DocumentTypeCatalogue } from '../routing/catalogue.ts';
import type { AgencyDirectory } from '../routing/directory.ts';
import type { RolloutPolicy } from '../routing/rollout-policy.ts';
import type { SignerBinding } from '../routing/signer-binding.ts';
import type { ValidationOptions } from '../signature/validate-pdf.ts';

/** A message to the next step of the pipeline (an SQS queue in AWS). */
export interface StepQueue {
  send(message: { readonly documentId: string }): Promise<void>;
}

/** The organization key and certificate chain an agency countersigns with. */
export interface OrganizationSigning {
  readonly signer: Signer;
  /** DER, the organization certificate first. */
  readonly certificateChain: Buffer[];
}

/** Resolves an agency's organization key (KMS, PKCS#11 or file) from its directory entry. */
export interface OrganizationSigners {
  forAgency(agencyCode: string): Promise<OrganizationSigning | undefined>;
}

/** The national axis sender's queue: one message per axis recipient of a document. */
export interface AxisOutbox {
  send(message: {
    readonly documentId: string;
    readonly recipient: string;
    readonly edxmlKey: string;
  }): Promise<void>;
}

/** Reference data every step reads: directory, catalogue and the current rollout policy. */
export interface ReferenceData {
  readonly directory: AgencyDirectory;
  readonly catalogue: DocumentTypeCatalogue;
  currentPolicy(): Promise<RolloutPolicy>;
}

export interface PipelineClock {
  now(): Date;
}

/** What the verify step judges signatures against. */
export interface VerificationSettings {
  readonly trust: Omit<ValidationOptions, 'validationTime'>;
  readonly signerBinding: SignerBinding;
  readonly maxUploadBytes: number;
}

export interface PipelineStores {
  /** Uploads (`incoming/…`) and processed files (`countersigned/…`). */
  readonly documents: DocumentStore;
  /** Immutable archive (S3 Object Lock). */
  readonly archive: DocumentStore;
}
