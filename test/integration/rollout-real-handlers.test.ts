import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DeleteItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  InvalidOutput,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { DynamoDbApprovalDesk } from '#adapters/dynamodb-approval-desk.ts';
import { DynamoDbRolloutOverview } from '#adapters/dynamodb-rollout-overview.ts';
import { APPROVAL_PK, POLICY_PK } from '#adapters/dynamodb-rollout-store.ts';
import { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import { approvalListSchema, approvalResultSchema } from '#shared/documents/api-schemas.ts';
import { parseSchedule } from '#shared/rollout/schedule.ts';
import { stateMachineInput } from '#shared/rollout/state-machine-input.ts';
import { planRouting } from '#shared/routing/plan-routing.ts';
import { SEED_DOCUMENT_TYPES } from '#shared/routing/seed-document-types.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';
import { makeLambdaContext } from '#test/support/events.ts';
import { makeHttpEvent } from '#test/support/http-events.ts';
import { makeDocumentSeeder } from '#test/support/seed-documents.ts';
import { type Emulators, localCredentials, startEmulators } from '../../scripts/local/emulators.ts';
import {
  type RolloutExecution,
  type RolloutRunner,
  startRolloutRunner,
} from '../../scripts/local/rollout-runner.ts';
import { rolloutHandlerEnv } from '../../scripts/local/rollout-simulation.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const shippedSchedule = path.join(repo, 'shared/rollout/schedules/quang-ngai-2019.json');
const admin = { sub: 'admin-1', 'custom:agency': '000.00.01.H48', 'custom:role': 'admin' };

let emulators: Emulators;
let runner: RolloutRunner;
let api: typeof import('#functions/documents-api.ts').handler;
let overview: DynamoDbRolloutOverview;

/** The shipped schedule with per-phase changes, as the state machine's input. */
function makeInput(phaseOverrides: Record<number, Record<string, unknown>> = {}) {
  const json = z
    .object({ phases: z.array(z.record(z.string(), z.unknown())) })
    .loose()
    .parse(JSON.parse(readFileSync(shippedSchedule, 'utf8')));
  for (const [index, overrides] of Object.entries(phaseOverrides)) {
    Object.assign(json.phases[Number(index)] ?? {}, overrides);
  }
  return stateMachineInput(parseSchedule(json));
}

beforeAll(async () => {
  emulators = await startEmulators({ ports: { aws: 0, dynamodb: 0 } });
  runner = await startRolloutRunner({
    env: {
      ...rolloutHandlerEnv(emulators),
      // documents-api, imported below with the runner's STATE_MACHINE_ARN and SFN endpoint.
      INCOMING_BUCKET: emulators.resources.buckets.incoming,
      RECIPIENT_INDEX: 'byRecipient',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    },
  });
  ({ handler: api } = await import('#functions/documents-api.ts'));
  overview = new DynamoDbRolloutOverview(emulators.clients.dynamodb, emulators.resources.table);

  // Created in the national-axis-pilot window by its two enrolled issuers, by an agency that is
  // not enrolled, in the week the first extension adds, and in the province-pilot window.
  const seed = makeDocumentSeeder({
    repository: new DynamoDbStatusRepository(emulators.clients.dynamodb, emulators.resources.table),
    s3: emulators.clients.s3,
    bucket: emulators.resources.buckets.incoming,
  });
  const recipients = ['000.00.00.G22'];
  await seed({ issuer: '000.00.00.H48', recipients, createdAt: '2019-05-02T03:00:00.000Z' });
  await seed({ issuer: '000.00.01.H48', recipients, createdAt: '2019-05-06T03:00:00.000Z' });
  await seed({ issuer: '000.00.08.H48', recipients, createdAt: '2019-05-03T03:00:00.000Z' });
  await seed({ issuer: '000.00.00.H48', recipients, createdAt: '2019-05-13T03:00:00.000Z' });
  await seed({ issuer: '000.00.08.H48', recipients, createdAt: '2019-06-01T03:00:00.000Z' });
}, 120_000);

afterAll(async () => {
  await runner?.stop();
  await emulators?.stop();
});

/** Each execution starts from a table without rollout items, as on a fresh deployment. */
beforeEach(async () => {
  for (const pk of [POLICY_PK, APPROVAL_PK]) {
    const { Items = [] } = await emulators.clients.dynamodb.send(
      new QueryCommand({
        TableName: emulators.resources.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk } },
      }),
    );
    for (const item of Items) {
      const { pk: key, sk } = item;
      if (key === undefined || sk === undefined) continue;
      await emulators.clients.dynamodb.send(
        new DeleteItemCommand({ TableName: emulators.resources.table, Key: { pk: key, sk } }),
      );
    }
  }
});

async function callApi(method: 'GET' | 'POST', path: string, body?: unknown) {
  const response = await api(
    makeHttpEvent({ method, path, body, claims: admin }),
    makeLambdaContext('documents-api'),
  );
  return { status: response.statusCode, body: JSON.parse(response.body ?? 'null') as unknown };
}

/** The admin API's decision route, as an administrator clicking in the console. */
async function decide(phaseId: string, decision: 'approved' | 'rejected') {
  const response = await callApi('POST', `/admin/approvals/${phaseId}`, { decision });
  expect(response.status).toBe(200);
  return approvalResultSchema.parse(response.body);
}

async function reportObject(key: string): Promise<string> {
  const out = await emulators.clients.s3.send(
    new GetObjectCommand({ Bucket: emulators.resources.buckets.reports, Key: key }),
  );
  return (await out.Body?.transformToString()) ?? '';
}

const reportTotals = z.object({
  scheduleId: z.string(),
  extensions: z.int(),
  report: z.object({
    window: z.object({ from: z.string(), to: z.string() }),
    documents: z.object({ total: z.int() }),
  }),
});

const steps = (execution: RolloutExecution) =>
  execution.tasks.map(
    (t) => `${t.state} ${z.object({ phaseId: z.string() }).parse(t.payload).phaseId}`,
  );

const planFor = async (document: { typeCode: string; recipients: string[] }) =>
  planRouting(
    { ...document, secrecy: 'none' },
    {
      directory: QUANG_NGAI_DIRECTORY,
      catalogue: SEED_DOCUMENT_TYPES,
      policy: await overview.currentPolicy(),
    },
  );

describe('rollout state machine on the real handlers and local stand-ins', () => {
  it('runs the 2019 phases in order, each waiting for its approval through the admin API', async () => {
    const execution = runner.start(makeInput());

    const first = await execution.nextApproval();
    expect(first).toMatchObject({ phaseId: 'national-axis-pilot', attempt: 1 });
    expect(await overview.current()).toMatchObject({
      source: 'schedule',
      phaseId: 'national-axis-pilot',
      effectiveFrom: '2019-04-24T17:00:00Z',
      effectiveTo: '2019-05-10T17:00:00Z',
      policy: {
        channelsOpen: ['national-axis'],
        enrolledAgencies: ['000.00.00.H48', '000.00.01.H48'],
        electronicOnlyTypes: ['giay-moi', 'thong-bao', 'bao-cao'],
      },
    });
    const base = 'reports/quang-ngai-2019/national-axis-pilot/report';
    const json = reportTotals.parse(JSON.parse(await reportObject(`${base}.json`)));
    // The enrolled issuers' two documents of the window; not the third agency's, not later ones.
    expect(json.report.documents.total).toBe(2);
    expect(json.report.window).toEqual({
      from: '2019-04-25T00:00:00+07:00',
      to: '2019-05-11T00:00:00+07:00',
    });
    expect(await reportObject(`${base}.csv`)).toContain('window_from,2019-04-25T00:00:00+07:00');
    expect(await reportObject(`${base}.html`)).toMatch(/<html[\s>]/i);
    const listed = approvalListSchema.parse((await callApi('GET', '/admin/approvals')).body);
    expect(listed.items.map((a) => a.phaseId)).toEqual(['national-axis-pilot']);

    await decide('national-axis-pilot', 'approved');
    const second = await execution.nextApproval();
    expect(second).toMatchObject({ phaseId: 'province-pilot', attempt: 1 });
    expect(second.taskToken).not.toBe(first.taskToken);
    expect(await overview.current()).toMatchObject({
      phaseId: 'province-pilot',
      policy: { channelsOpen: ['national-axis', 'province'], enrolledAgencies: 'all' },
    });
    const province = reportTotals.parse(
      JSON.parse(await reportObject('reports/quang-ngai-2019/province-pilot/report.json')),
    );
    expect(province.report.documents.total).toBe(1);

    await decide('province-pilot', 'approved');
    const outcome = await execution.result;

    expect(outcome.status).toBe('SUCCEEDED');
    expect(steps(execution)).toEqual([
      'ApplyPolicy national-axis-pilot',
      'GenerateReport national-axis-pilot',
      'RequestApproval national-axis-pilot',
      'ApplyPolicy province-pilot',
      'GenerateReport province-pilot',
      'RequestApproval province-pilot',
      'ApplyPolicy official-use',
    ]);
    expect(await overview.current()).toMatchObject({
      phaseId: 'official-use',
      effectiveFrom: '2019-06-29T17:00:00Z',
      effectiveTo: null,
    });
    const desk = new DynamoDbApprovalDesk(emulators.clients.dynamodb, emulators.resources.table);
    expect((await desk.get('province-pilot'))?.status).toBe('APPROVED');
  });

  it('extends the window after a rejection, reports on the longer window and asks again', async () => {
    const execution = runner.start(makeInput());
    await execution.nextApproval();

    await decide('national-axis-pilot', 'rejected');
    const again = await execution.nextApproval();

    expect(again).toMatchObject({ phaseId: 'national-axis-pilot', attempt: 2 });
    const extended = reportTotals.parse(
      JSON.parse(
        await reportObject('reports/quang-ngai-2019/national-axis-pilot/report-extension-1.json'),
      ),
    );
    // Seven days more: the enrolled issuer's document of 13/5 is counted now.
    expect(extended).toMatchObject({ extensions: 1, report: { documents: { total: 3 } } });
    expect(extended.report.window.to).toBe('2019-05-18T00:00:00+07:00');
    expect((await overview.current()).phaseId).toBe('national-axis-pilot');

    await decide('national-axis-pilot', 'approved');
    expect(await execution.nextApproval()).toMatchObject({ phaseId: 'province-pilot' });
    await decide('province-pilot', 'approved');
    expect((await execution.result).status).toBe('SUCCEEDED');
  });

  it('stops the rollout when a phase that says stop has its report rejected', async () => {
    const execution = runner.start(makeInput({ 0: { onReject: { action: 'stop' } } }));
    const pending = await execution.nextApproval();

    await decide('national-axis-pilot', 'rejected');
    const outcome = await execution.result;

    expect(outcome).toMatchObject({ status: 'FAILED', error: 'RolloutStopped' });
    expect(steps(execution).filter((s) => s.startsWith('ApplyPolicy'))).toEqual([
      'ApplyPolicy national-axis-pilot',
    ]);
    expect((await overview.current()).phaseId).toBe('national-axis-pilot');
    // The token is closed: a late SendTaskSuccess is refused as Step Functions refuses it.
    const sfn = new SFNClient({
      endpoint: runner.sfnEndpoint,
      region: 'us-east-1',
      credentials: localCredentials,
    });
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: pending.taskToken, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
    sfn.destroy();
  });

  it('routes a document differently once a phase makes its type electronic-only', async () => {
    // The pilot sends only invitations without paper; the province pilot adds announcements.
    const execution = runner.start(
      makeInput({
        0: { electronicOnlyTypes: ['giay-moi'] },
        1: { electronicOnlyTypes: ['giay-moi', 'thong-bao'] },
      }),
    );
    const document = { typeCode: 'thong-bao', recipients: ['000.00.08.H48', '000.00.00.G22'] };

    await execution.nextApproval();
    const before = await planFor(document);
    await decide('national-axis-pilot', 'approved');
    await execution.nextApproval();
    const after = await planFor(document);
    await decide('province-pilot', 'approved');
    await execution.result;

    expect(before.paperCopyRequired).toBe(true);
    expect(before.routes).toContainEqual(
      expect.objectContaining({ recipient: '000.00.08.H48', reason: 'channel-closed' }),
    );
    expect(after.paperCopyRequired).toBe(false);
    expect(after.routes).toEqual([
      { recipient: '000.00.08.H48', channel: 'province', deliverable: true },
      { recipient: '000.00.00.G22', channel: 'national-axis', deliverable: true },
    ]);
    expect(after.paperRecipients).toEqual([]);
  });
});

describe('local Step Functions endpoint', () => {
  const client = () =>
    new SFNClient({
      endpoint: runner.sfnEndpoint,
      region: 'us-east-1',
      credentials: localCredentials,
    });

  it('fails the execution through its alert path on SendTaskFailure', async () => {
    const execution = runner.start(makeInput());
    const pending = await execution.nextApproval();
    const sfn = client();

    await sfn.send(
      new SendTaskFailureCommand({
        taskToken: pending.taskToken,
        error: 'ApprovalDeskDown',
        cause: 'the approval table is unreachable',
      }),
    );
    const outcome = await execution.result;
    sfn.destroy();

    expect(outcome).toEqual({
      status: 'FAILED',
      error: 'RolloutFailed',
      cause: 'the approval table is unreachable',
    });
    expect(execution.tasks.at(-1)).toMatchObject({
      state: 'RequestApproval',
      error: { name: 'ApprovalDeskDown' },
    });
  });

  it('refuses tokens it never issued and output that is not JSON, as Step Functions does', async () => {
    const execution = runner.start(makeInput());
    const pending = await execution.nextApproval();
    const sfn = client();

    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'forged-token', output: '{}' })),
    ).rejects.toBeInstanceOf(InvalidToken);
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: pending.taskToken, output: 'approved' })),
    ).rejects.toBeInstanceOf(InvalidOutput);
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: pending.taskToken }));
    execution.abort();
    sfn.destroy();

    expect(await execution.result).toEqual({ status: 'ABORTED' });
  });
});

describe('edoc rollout simulate', () => {
  it('runs the shipped schedule and prints each phase’s policy and report as one JSON object', async () => {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(
          process.execPath,
          [path.join(repo, 'bin/edoc.js'), 'rollout', 'simulate', shippedSchedule, '--json'],
          { cwd: repo, env: { ...process.env, NODE_NO_WARNINGS: '1' } },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => {
          stdout += String(chunk);
        });
        child.stderr.on('data', (chunk) => {
          stderr += String(chunk);
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      },
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const simulation = z
      .object({
        scheduleId: z.string(),
        outcome: z.object({ status: z.string() }),
        phases: z.array(
          z.object({
            phaseId: z.string(),
            appliedPolicy: z.object({ phaseId: z.string(), policy: z.unknown() }),
            reports: z.array(
              z.object({ keys: z.object({ json: z.string() }), documents: z.unknown() }),
            ),
            decisions: z.array(z.object({ decision: z.string(), decidedBy: z.string() })),
          }),
        ),
      })
      .parse(JSON.parse(result.stdout));
    expect(simulation.outcome.status).toBe('SUCCEEDED');
    expect(simulation.phases.map((p) => [p.phaseId, p.appliedPolicy.phaseId])).toEqual([
      ['national-axis-pilot', 'national-axis-pilot'],
      ['province-pilot', 'province-pilot'],
      ['official-use', 'official-use'],
    ]);
    expect(simulation.phases[0]?.appliedPolicy.policy).toEqual({
      phaseId: 'national-axis-pilot',
      channelsOpen: ['national-axis'],
      enrolledAgencies: ['000.00.00.H48', '000.00.01.H48'],
      electronicOnlyTypes: ['giay-moi', 'thong-bao', 'bao-cao'],
    });
    expect(simulation.phases[1]?.reports).toEqual([
      expect.objectContaining({
        keys: expect.objectContaining({
          json: 'reports/quang-ngai-2019/province-pilot/report.json',
        }),
        // A throwaway stack: nothing was issued.
        documents: expect.objectContaining({ total: 0 }),
      }),
    ]);
    expect(simulation.phases.map((p) => p.decisions.map((d) => d.decision))).toEqual([
      ['approved'],
      ['approved'],
      [],
    ]);
  }, 120_000);
});
