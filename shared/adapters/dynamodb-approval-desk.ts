import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { ApprovalDesk, ApprovalItem } from '#ports/approval-desk.ts';
import type { ApprovalDecision } from '#shared/rollout/tasks.ts';
import { conditionalWrite, documentClient, queryAll } from './dynamodb.ts';
import { APPROVAL_PK } from './dynamodb-rollout-store.ts';

const approvalItemSchema = z.object({
  status: z.enum(['PENDING', 'APPROVED', 'REJECTED']),
  scheduleId: z.string(),
  phaseId: z.string(),
  title: z.string(),
  taskToken: z.string(),
  attempt: z.number(),
  reportKeys: z.object({ json: z.string(), csv: z.string(), html: z.string() }),
  window: z.object({ from: z.string(), to: z.string(), deadline: z.string() }),
  recipients: z.array(z.string()),
  requestedAt: z.string(),
});

/**
 * ApprovalDesk on the `ROLLOUT#APPROVAL` partition the approval task writes (one item per phase,
 * see DynamoDbRolloutStore.recordPending). A decided item keeps its token, so a decision that
 * could not be delivered can be reopened by whoever holds that same token.
 */
export class DynamoDbApprovalDesk implements ApprovalDesk {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#db = documentClient(client);
    this.#table = tableName;
  }

  async pending(): Promise<ApprovalItem[]> {
    const items = await queryAll(this.#db, {
      TableName: this.#table,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pk': APPROVAL_PK, ':pending': 'PENDING' },
      ConsistentRead: true,
    });
    return items
      .map((item) => approvalItemSchema.parse(item))
      .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
  }

  async get(phaseId: string): Promise<ApprovalItem | undefined> {
    const out = await this.#db.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: APPROVAL_PK, sk: phaseId },
        ConsistentRead: true,
      }),
    );
    return out.Item ? approvalItemSchema.parse(out.Item) : undefined;
  }

  async markDecided(
    phaseId: string,
    taskToken: string,
    decision: ApprovalDecision,
    at: string,
  ): Promise<boolean> {
    return conditionalWrite(() =>
      this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: APPROVAL_PK, sk: phaseId },
          UpdateExpression: 'SET #status = :decided, decision = :decision, decidedAt = :at',
          ConditionExpression: '#status = :pending AND taskToken = :token',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':decided': decision.decision === 'approved' ? 'APPROVED' : 'REJECTED',
            ':decision': decision,
            ':at': at,
            ':pending': 'PENDING',
            ':token': taskToken,
          },
        }),
      ),
    );
  }

  async reopen(phaseId: string, taskToken: string): Promise<void> {
    // A failed condition: already reopened, or replaced by a new token.
    await conditionalWrite(() =>
      this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: APPROVAL_PK, sk: phaseId },
          UpdateExpression: 'SET #status = :pending REMOVE decision, decidedAt',
          ConditionExpression: '#status <> :pending AND taskToken = :token',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'PENDING', ':token': taskToken },
        }),
      ),
    );
  }
}
