import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditLog } from '#ports/audit-log.ts';
import type { SecretRefusalAudit } from '#shared/documents/plan-upload.ts';
import { documentClient } from './dynamodb.ts';

/** Partition of one issuer's audit records, newest last by their `<at>#<id>` sort key. */
const auditKey = (issuer: string, at: string, id: string) => ({
  pk: `AUDIT#${issuer}`,
  sk: `${at}#${id}`,
});

/**
 * AuditLog on the status table. Audit items carry no `expiresAt`, so the table's TTL never
 * removes them, and an existing item is never overwritten.
 */
export class DynamoDbAuditLog implements AuditLog {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#db = documentClient(client);
    this.#table = tableName;
  }

  async recordSecretRefusal(audit: SecretRefusalAudit): Promise<void> {
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: { ...auditKey(audit.issuer, audit.at, audit.id), kind: 'secret-refusal', ...audit },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }
}
