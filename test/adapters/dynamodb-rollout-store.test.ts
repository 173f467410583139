import { GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbReportSource } from '#adapters/dynamodb-report-source.ts';
import { DynamoDbRolloutOverview } from '#adapters/dynamodb-rollout-overview.ts';
import { APPROVAL_PK, DynamoDbRolloutStore, POLICY_PK } from '#adapters/dynamodb-rollout-store.ts';
import { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import { statusTable } from '#infra/definitions.ts';
import type { NewDocument } from '#ports/status-repository.ts';
import { ApprovalAlreadyPendingError } from '#shared/rollout/request-approval.ts';
import type { PendingApproval, PolicyRecord } from '#shared/rollout/rollout-ports.ts';
import { createTable, startDynalite } from '#test/support/dynalite.ts';

let db: Awaited<ReturnType<typeof startDynalite>>;
let tableCount = 0;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(() => db.stop());

async function makeTable(): Promise<string> {
  tableCount += 1;
  const name = `status-${tableCount}`;
  await createTable(db.client, name, statusTable);
  return name;
}

function makePolicyRecord(overrides: Partial<PolicyRecord> = {}): PolicyRecord {
  return {
    scheduleId: 'quang-ngai-2019',
    phaseId: 'national-axis-pilot',
    policy: {
      phaseId: 'national-axis-pilot',
      channelsOpen: ['national-axis'],
      enrolledAgencies: ['000.00.01.H48'],
      electronicOnlyTypes: ['TB'],
    },
    effectiveFrom: '2019-04-24T17:00:00Z',
    effectiveTo: '2019-05-10T17:00:00Z',
    appliedAt: '2019-04-24T17:00:01.000Z',
    ...overrides,
  };
}

function makeApproval(overrides: Partial<PendingApproval> = {}): PendingApproval {
  return {
    scheduleId: 'quang-ngai-2019',
    phaseId: 'national-axis-pilot',
    title: 'Thí điểm',
    taskToken: 'token-1',
    attempt: 1,
    reportKeys: { json: 'reports/a.json', csv: 'reports/a.csv', html: 'reports/a.html' },
    window: {
      from: '2019-04-24T17:00:00Z',
      to: '2019-05-10T17:00:00Z',
      deadline: '2019-05-14T17:00:00Z',
    },
    recipients: ['000.00.00.G22'],
    requestedAt: '2019-05-11T00:00:00.000Z',
    ...overrides,
  };
}

const currentPhase = async (table: string) => {
  const out = await db.client.send(
    new GetItemCommand({
      TableName: table,
      Key: { pk: { S: POLICY_PK }, sk: { S: 'CURRENT' } },
      ConsistentRead: true,
    }),
  );
  return out.Item?.['phaseId']?.S;
};

const policyItems = async (table: string) =>
  (
    await db.client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: POLICY_PK } },
      }),
    )
  ).Items ?? [];

describe('DynamoDbRolloutStore on dynalite', () => {
  it('makes a policy current and records it once in the history', async () => {
    const table = await makeTable();
    const store = new DynamoDbRolloutStore(db.client, table);

    expect(await store.applyPolicy(makePolicyRecord())).toEqual({ applied: true });
    expect(await store.applyPolicy(makePolicyRecord())).toEqual({ applied: true });

    expect(await currentPhase(table)).toBe('national-axis-pilot');
    expect((await policyItems(table)).map((i) => i['sk']?.S)).toEqual([
      'CURRENT',
      'HISTORY#2019-04-24T17:00:00Z#quang-ngai-2019#national-axis-pilot',
    ]);
  });

  it('hands routing the policy it applied, and the official-use default before any', async () => {
    const table = await makeTable();
    const store = new DynamoDbRolloutStore(db.client, table);
    const overview = new DynamoDbRolloutOverview(db.client, table);
    const before = await overview.currentPolicy();
    const record = makePolicyRecord({
      policy: { ...makePolicyRecord().policy, electronicOnlyTypes: ['giay-moi'] },
    });

    await store.applyPolicy(record);

    expect(before).toEqual({
      phaseId: 'official',
      channelsOpen: ['province', 'national-axis'],
      enrolledAgencies: 'all',
      electronicOnlyTypes: 'catalogue',
    });
    expect(await overview.currentPolicy()).toEqual(record.policy);
  });

  it('never lets an earlier phase replace a later one', async () => {
    const table = await makeTable();
    const store = new DynamoDbRolloutStore(db.client, table);
    await store.applyPolicy(
      makePolicyRecord({ phaseId: 'province-pilot', effectiveFrom: '2019-05-14T17:00:00Z' }),
    );

    const result = await store.applyPolicy(makePolicyRecord());

    expect(result).toEqual({ applied: false });
    expect(await currentPhase(table)).toBe('province-pilot');
  });

  it('stores a pending approval and accepts the same token again', async () => {
    const table = await makeTable();
    const store = new DynamoDbRolloutStore(db.client, table);

    await store.recordPending(makeApproval());
    await store.recordPending(makeApproval());

    const out = await db.client.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: APPROVAL_PK }, sk: { S: 'national-axis-pilot' } },
      }),
    );
    expect(out.Item?.['status']?.S).toBe('PENDING');
    expect(out.Item?.['taskToken']?.S).toBe('token-1');
  });

  it('refuses a second token while one is pending, and takes it once decided', async () => {
    const table = await makeTable();
    const store = new DynamoDbRolloutStore(db.client, table);
    await store.recordPending(makeApproval());

    await expect(store.recordPending(makeApproval({ taskToken: 'token-2' }))).rejects.toThrow(
      ApprovalAlreadyPendingError,
    );

    // The admin API marks the decision before calling SendTaskSuccess.
    await db.client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: APPROVAL_PK },
          sk: { S: 'national-axis-pilot' },
          status: { S: 'REJECTED' },
        },
      }),
    );
    await expect(
      store.recordPending(makeApproval({ taskToken: 'token-2', attempt: 2 })),
    ).resolves.toBeUndefined();
  });
});

describe('DynamoDbReportSource on dynalite', () => {
  const window = { from: '2019-04-24T17:00:00Z', to: '2019-05-10T17:00:00Z' };
  let counter = 0;

  function makeDocument(issuer: string, createdAt: string): NewDocument {
    counter += 1;
    return {
      id: `doc-${counter}`,
      issuer,
      year: 2019,
      number: String(counter),
      notation: 'UBND-VP',
      createdAt,
      attributes: { typeCode: 'TB', subject: 'Thông báo' },
    };
  }

  async function seed(table: string, docs: NewDocument[]) {
    const repo = new DynamoDbStatusRepository(db.client, table);
    for (const doc of docs) {
      await repo.create(doc, { at: doc.createdAt, status: 'AWAITING_UPLOAD', actor: doc.issuer });
    }
  }

  it('queries the enrolled issuers for documents created in the window', async () => {
    const table = await makeTable();
    await seed(table, [
      makeDocument('000.00.01.H48', '2019-04-24T17:00:00.000Z'),
      makeDocument('000.00.01.H48', '2019-05-01T03:00:00.000Z'),
      makeDocument('000.00.01.H48', '2019-05-10T17:00:00.000Z'),
      makeDocument('000.00.02.H48', '2019-05-01T03:00:00.000Z'),
    ]);
    const source = new DynamoDbReportSource(db.client, table);

    const out = await source.documentsCreated({
      window,
      issuers: ['000.00.01.H48'],
      electronicOnlyTypes: ['TB'],
    });

    expect(out.complete).toBe(true);
    // The window's end is cut to the second: the report filters the document at `to` out.
    expect(out.documents.map((d) => d.createdAt)).toEqual([
      '2019-04-24T17:00:00.000Z',
      '2019-05-01T03:00:00.000Z',
      '2019-05-10T17:00:00.000Z',
    ]);
    expect(out.documents[0]).toMatchObject({
      issuer: '000.00.01.H48',
      type: 'TB',
      status: 'AWAITING_UPLOAD',
      paperCopyRequired: false,
      recipients: [],
    });
  });

  it('scans every issuer when all are enrolled, and says when it stopped early', async () => {
    const table = await makeTable();
    await seed(table, [
      makeDocument('000.00.01.H48', '2019-05-01T03:00:00.000Z'),
      makeDocument('000.00.02.H48', '2019-05-02T03:00:00.000Z'),
      makeDocument('000.00.03.H48', '2019-06-02T03:00:00.000Z'),
    ]);

    const all = await new DynamoDbReportSource(db.client, table).documentsCreated({
      window,
      issuers: 'all',
      electronicOnlyTypes: [],
    });

    expect(all.complete).toBe(true);
    expect(all.documents.map((d) => d.issuer).sort()).toEqual(['000.00.01.H48', '000.00.02.H48']);
    expect(all.documents.every((d) => d.paperCopyRequired)).toBe(true);

    const bounded = await new DynamoDbReportSource(db.client, table, {
      maxScanPages: 1,
      scanPageSize: 1,
    }).documentsCreated({ window, issuers: 'all', electronicOnlyTypes: [] });
    expect(bounded.complete).toBe(false);
  });
});
