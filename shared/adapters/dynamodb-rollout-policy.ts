import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type RolloutPolicy, rolloutPolicySchema } from '#shared/routing/rollout-policy.ts';

/**
 * Until the rollout state machine has applied a phase, the system runs as in official use: every
 * channel open to every agency, issuance forms from the catalogue.
 */
export const OFFICIAL_USE_POLICY: RolloutPolicy = {
  phaseId: 'official',
  channelsOpen: ['province', 'national-axis'],
  enrolledAgencies: 'all',
  electronicOnlyTypes: 'catalogue',
};

/** Reads the policy item the rollout state machine writes (`ROLLOUT#POLICY` / `CURRENT`). */
export async function readRolloutPolicy(
  client: DynamoDBClient,
  tableName: string,
): Promise<RolloutPolicy> {
  const db = DynamoDBDocumentClient.from(client);
  const out = await db.send(
    new GetCommand({ TableName: tableName, Key: { pk: 'ROLLOUT#POLICY', sk: 'CURRENT' } }),
  );
  if (!out.Item) return OFFICIAL_USE_POLICY;
  const { phaseId, channelsOpen, enrolledAgencies, electronicOnlyTypes } = out.Item;
  return rolloutPolicySchema.parse({
    phaseId,
    channelsOpen,
    enrolledAgencies,
    electronicOnlyTypes,
  });
}
