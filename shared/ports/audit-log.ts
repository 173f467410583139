import type { SecretRefusalAudit } from '../documents/plan-upload.ts';

/**
 * Audit trail kept apart from document records: the refusals the system must be able to show
 * (who tried to send a secret document, and when) without ever keeping the document.
 */
export interface AuditLog {
  recordSecretRefusal(audit: SecretRefusalAudit): Promise<void>;
}
