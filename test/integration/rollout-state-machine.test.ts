import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Aws, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import {
  ExecutionError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { RolloutStateMachine } from '#infra/constructs/rollout-state-machine.ts';
import { bucketName } from '#infra/definitions.ts';
import { applyPhasePolicy } from '#shared/rollout/apply-phase-policy.ts';
import { generatePhaseReport } from '#shared/rollout/phase-report.ts';
import { requestApproval } from '#shared/rollout/request-approval.ts';
import type { PendingApproval, PolicyRecord, ReportQuery } from '#shared/rollout/rollout-ports.ts';
import { parseSchedule } from '#shared/rollout/schedule.ts';
import { stateMachineInput } from '#shared/rollout/state-machine-input.ts';
import {
  type ApprovalDecision,
  applyPolicyTaskSchema,
  approvalRequestTaskSchema,
  phaseReportTaskSchema,
} from '#shared/rollout/tasks.ts';
import { stateMachineDefinition } from '#test/support/state-machine-definition.ts';

type Handlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type JsonValue = ReturnType<Handlers[string]> extends infer R ? Awaited<R> : never;

const scheduleFile = path.resolve(
  import.meta.dirname,
  '../../shared/rollout/schedules/quang-ngai-2019.json',
);

/** The 2019 schedule as JSON, with overrides applied to one phase (a fresh copy each call). */
function makeScheduleJson(phaseOverrides: Record<number, Record<string, unknown>> = {}): unknown {
  const json = JSON.parse(readFileSync(scheduleFile, 'utf8'));
  for (const [index, overrides] of Object.entries(phaseOverrides)) {
    Object.assign(json.phases[Number(index)], overrides);
  }
  return json;
}

/** What Lambda does to a result: a JSON round trip. */
const asJson = (value: unknown): JsonValue => JSON.parse(JSON.stringify(value));

let definition: StateMachineDefinition;

beforeAll(() => {
  const app = new App();
  const stateful = new Stack(app, 'Stateful');
  const table = new TableV2(stateful, 'Status', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    sortKey: { name: 'sk', type: AttributeType.STRING },
  });
  const stack = new Stack(app, 'Stateless');
  new RolloutStateMachine(stack, 'Rollout', {
    table,
    reportsBucket: Bucket.fromBucketName(
      stack,
      'Reports',
      bucketName('it', 'reports', Aws.ACCOUNT_ID, Aws.REGION),
    ),
    alarmTopic: new Topic(stack, 'Alarms', { enforceSSL: true }),
    // aws-local-stepfunctions arms a setTimeout for TimeoutSeconds: 30 days overflows it to 1 ms.
    approvalTimeout: Duration.minutes(5),
  });
  definition = stateMachineDefinition(Template.fromStack(stack));
});

interface Harness {
  readonly events: string[];
  readonly policies: PolicyRecord[];
  readonly queries: ReportQuery[];
  readonly objects: Map<string, string>;
  readonly approvals: PendingApproval[];
  readonly alerts: unknown[];
  readonly handlers: Handlers;
}

/**
 * The three tasks run the real use cases on in-memory ports, parsing their input with the same
 * schemas as the handlers. The approval task stands in for the admin API too: it answers with
 * the next scripted decision, as SendTaskSuccess would once a person has decided.
 */
function makeHarness(decisions: ApprovalDecision['decision'][], failReport = false): Harness {
  const clock = { now: () => new Date('2019-05-12T02:00:00Z') };
  const h: Harness = {
    events: [],
    policies: [],
    queries: [],
    objects: new Map(),
    approvals: [],
    alerts: [],
    handlers: {},
  };
  const store = {
    applyPolicy: async (record: PolicyRecord) => {
      h.policies.push(record);
      return { applied: true };
    },
  };
  const source = {
    documentsCreated: async (query: ReportQuery) => {
      h.queries.push(query);
      return { documents: [], complete: true };
    },
  };
  const reports = {
    put: async (key: string, body: Buffer) => {
      h.objects.set(key, body.toString('utf8'));
    },
  };
  const approvals = {
    recordPending: async (approval: PendingApproval) => {
      h.approvals.push(approval);
    },
  };
  Object.assign(h.handlers, {
    ApplyPolicy: async (input: JsonValue) => {
      const task = applyPolicyTaskSchema.parse(input);
      h.events.push(`policy ${task.phaseId}`);
      return asJson(await applyPhasePolicy({ store, clock }, task));
    },
    GenerateReport: async (input: JsonValue) => {
      const task = phaseReportTaskSchema.parse(input);
      if (failReport) throw new Error('the status table is unreachable');
      const result = await generatePhaseReport({ source, reports, clock }, task);
      h.events.push(`report ${task.phaseId} ${result.window.from}/${result.window.to}`);
      return asJson(result);
    },
    RequestApproval: async (input: JsonValue) => {
      const { Payload } = approvalRequestTaskSchema
        .transform((payload) => ({ Payload: payload }))
        .parse(
          typeof input === 'object' && input !== null && 'Payload' in input ? input.Payload : input,
        );
      const pending = await requestApproval({ approvals, clock }, Payload);
      const decision = decisions.shift() ?? 'approved';
      h.events.push(`approval ${pending.phaseId} #${pending.attempt} ${decision}`);
      return asJson({ decision, decidedBy: 'chanh-van-phong@quangngai.gov.vn' });
    },
    NotifyFailure: async (input: JsonValue) => {
      h.alerts.push(input);
      return asJson({ MessageId: 'local' });
    },
  } satisfies Handlers);
  return h;
}

function run(h: Harness, scheduleJson: unknown = makeScheduleJson()) {
  const machine = new StateMachine(definition);
  return machine.run(asJson(stateMachineInput(parseSchedule(scheduleJson))), {
    overrides: {
      taskResourceLocalHandlers: h.handlers,
      waitTimeOverrides: { WaitForExtension: 0 },
    },
    // Real executions have these; the library needs them mocked.
    context: {
      Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:rollout:local' },
      Task: { Token: 'local-task-token' },
    },
  }).result;
}

/** The error of the Fail state that ended a failed execution. */
async function failureOf(result: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await result;
  } catch (error) {
    if (error instanceof ExecutionError && error.cause instanceof Error) {
      return { name: error.cause.name, message: error.cause.message };
    }
    throw error;
  }
  throw new Error('the execution succeeded');
}

describe('rollout state machine on aws-local-stepfunctions', () => {
  it('runs the 2019 phases in order when every report is approved', async () => {
    const h = makeHarness(['approved', 'approved']);

    await run(h);

    expect(h.events).toEqual([
      'policy national-axis-pilot',
      'report national-axis-pilot 2019-04-24T17:00:00Z/2019-05-10T17:00:00Z',
      'approval national-axis-pilot #1 approved',
      'policy province-pilot',
      'report province-pilot 2019-05-14T17:00:00Z/2019-06-15T17:00:00Z',
      'approval province-pilot #1 approved',
      'policy official-use',
    ]);
    expect(h.policies[0]?.policy).toEqual({
      phaseId: 'national-axis-pilot',
      channelsOpen: ['national-axis'],
      enrolledAgencies: ['000.00.00.H48', '000.00.01.H48'],
      electronicOnlyTypes: ['giay-moi', 'thong-bao', 'bao-cao'],
    });
    expect(h.policies[2]).toMatchObject({ phaseId: 'official-use', effectiveTo: null });
    expect(h.alerts).toEqual([]);
  });

  it('hands the approval task its token and the report keys of the phase', async () => {
    const h = makeHarness(['approved', 'approved']);

    await run(h);

    expect(h.approvals[0]).toMatchObject({
      taskToken: 'local-task-token',
      scheduleId: 'quang-ngai-2019',
      phaseId: 'national-axis-pilot',
      attempt: 1,
      recipients: ['000.00.00.G22'],
      reportKeys: {
        json: 'reports/quang-ngai-2019/national-axis-pilot/report.json',
        csv: 'reports/quang-ngai-2019/national-axis-pilot/report.csv',
        html: 'reports/quang-ngai-2019/national-axis-pilot/report.html',
      },
    });
    expect(h.objects.get('reports/quang-ngai-2019/national-axis-pilot/report.csv')).toContain(
      'window_from,2019-04-25T00:00:00+07:00',
    );
    expect(h.queries[0]).toMatchObject({ issuers: ['000.00.00.H48', '000.00.01.H48'] });
    expect(h.queries[1]).toMatchObject({ issuers: 'all' });
  });

  it('stops with RolloutStopped when a report whose phase says stop is rejected', async () => {
    const h = makeHarness(['rejected']);

    const failure = await failureOf(
      run(h, makeScheduleJson({ 0: { onReject: { action: 'stop' } } })),
    );

    expect(failure.name).toBe('RolloutStopped');
    expect(h.events).toEqual([
      'policy national-axis-pilot',
      'report national-axis-pilot 2019-04-24T17:00:00Z/2019-05-10T17:00:00Z',
      'approval national-axis-pilot #1 rejected',
    ]);
    expect(h.alerts).toEqual([]);
  });

  it('extends the window, reports again and asks again after a rejection', async () => {
    const h = makeHarness(['rejected', 'approved', 'approved']);

    await run(h);

    expect(h.events.slice(0, 6)).toEqual([
      'policy national-axis-pilot',
      'report national-axis-pilot 2019-04-24T17:00:00Z/2019-05-10T17:00:00Z',
      'approval national-axis-pilot #1 rejected',
      'report national-axis-pilot 2019-04-24T17:00:00Z/2019-05-17T17:00:00Z',
      'approval national-axis-pilot #2 approved',
      'policy province-pilot',
    ]);
    expect(h.approvals[1]?.reportKeys.json).toBe(
      'reports/quang-ngai-2019/national-axis-pilot/report-extension-1.json',
    );
    expect(h.approvals[1]?.window.deadline).toBe('2019-05-21T17:00:00Z');
  });

  it('stops once the extensions the schedule allows are used up', async () => {
    const h = makeHarness(['rejected', 'rejected']);

    const failure = await failureOf(run(h));

    expect(failure.name).toBe('RolloutStopped');
    expect(failure.message).toContain('last extension');
    expect(h.events.filter((e) => e.startsWith('report'))).toHaveLength(2);
    expect(h.policies.map((p) => p.phaseId)).toEqual(['national-axis-pilot']);
  });

  it('alerts and fails with RolloutFailed when a task fails', async () => {
    const h = makeHarness([], true);

    const failure = await failureOf(run(h));

    expect(failure.name).toBe('RolloutFailed');
    expect(failure.message).toContain('the status table is unreachable');
    expect(h.alerts).toEqual([
      expect.objectContaining({
        TopicArn: expect.stringContaining(':sns:'),
        Message: expect.objectContaining({
          phaseId: 'national-axis-pilot',
          error: 'Error',
          execution: expect.stringContaining(':execution:'),
        }),
      }),
    ]);
    expect(h.approvals).toEqual([]);
  });
});
