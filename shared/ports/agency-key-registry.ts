import type { SignatureAlgorithm } from './signer.ts';

/** A key created for an agency whose certificate has not been installed yet. */
export interface PendingAgencyKey {
  readonly keyId: string;
  readonly algorithm: SignatureAlgorithm;
  /** ISO instant of creation. */
  readonly requestedAt: string;
}

/** The key an agency signs with now, and where its certificate chain (PEM) is stored. */
export interface InstalledAgencyKey {
  readonly keyId: string;
  readonly algorithm: SignatureAlgorithm;
  /** Object key of the PEM chain, leaf first, in the store countersigning reads chains from. */
  readonly chainKey: string;
  /** SHA-256 of the leaf certificate's DER, hex. */
  readonly leafFingerprint: string;
  /** ISO instants. */
  readonly notAfter: string;
  readonly installedAt: string;
}

export interface AgencyKeyRecord {
  readonly agency: string;
  readonly pending?: PendingAgencyKey;
  readonly installed?: InstalledAgencyKey;
}

/**
 * Where each agency's organization key stands: at most one key waiting for its certificate, and
 * the key in service. Both writes are conditional, so retries and concurrent requests agree.
 */
export interface AgencyKeyRegistry {
  get(agency: string): Promise<AgencyKeyRecord | undefined>;
  /** Every agency that has an installed key. */
  listInstalled(): Promise<AgencyKeyRecord[]>;
  /**
   * Records `pending` unless a key is already pending for the agency; returns the one that is
   * pending afterwards (the earlier one when a concurrent request got there first).
   */
  putPending(agency: string, pending: PendingAgencyKey): Promise<PendingAgencyKey>;
  /**
   * Puts `installed` in service and clears the pending key, only if `installed.keyId` is the
   * pending key; false when it is not (nothing pending, or another key).
   */
  install(agency: string, installed: InstalledAgencyKey): Promise<boolean>;
}
