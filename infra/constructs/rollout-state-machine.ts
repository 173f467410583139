import { CfnElement, Duration, Names, Stack, Validations } from 'aws-cdk-lib';
import type { ITable, ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  IntegrationPattern,
  JsonPath,
  LogLevel,
  Map as MapState,
  Pass,
  Result,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke, SnsPublish } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { APPROVAL_PK, POLICY_PK } from '#adapters/dynamodb-rollout-store.ts';
import { REPORTS_PREFIX } from '#shared/rollout/phase-report.ts';
import { AppFunction } from './app-function.ts';

export interface RolloutStateMachineProps {
  /** The status table: policy and approval items are written there, documents read from it. */
  readonly table: ITableV2 | ITable;
  /**
   * Reports are written under `reports/<scheduleId>/<phaseId>/`. Pass a bucket of this stack or
   * one imported by name (`Bucket.fromBucketName`, as the stateless stack does with
   * `bucketName()`): the `reports/*` grant is acknowledged for cdk-nag by its ARN, which a
   * cross-stack export would hide.
   */
  readonly reportsBucket: IBucket;
  /** Key of the reports bucket, if SSE-KMS. @default - `reportsBucket.encryptionKey` */
  readonly reportsKey?: IKey;
  /** Receives a message when a task fails. @default - no message: failures show in the logs only */
  readonly alarmTopic?: ITopic;
  /** Of the functions' and the state machine's log groups. @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
  /** How long a report may wait for its approval before the execution fails. @default 30 days */
  readonly approvalTimeout?: Duration;
  /**
   * Longest silence allowed from the approval side (SendTaskHeartbeat).
   * @default - none: the admin API sends no heartbeats
   */
  readonly approvalHeartbeat?: Duration;
  /** @default LogLevel.ALL (events only: execution data holds task tokens and is never logged) */
  readonly logLevel?: LogLevel;
  /** GSI keyed by issuer and creation instant. @default 'byIssuer' */
  readonly issuerIndexName?: string;
}

/**
 * The pilot and rollout sequence of a schedule (see `stateMachineInput` for the contract): one
 * Map iteration per phase, in order; each puts its policy in force at its start, reports on its
 * window at its end, and waits for a person to approve the report before the next phase starts.
 * Start an execution with `stateMachineInput(parseSchedule(json))` as input.
 */
export class RolloutStateMachine extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly applyPolicyFunction: AppFunction;
  public readonly reportFunction: AppFunction;
  public readonly approvalRequestFunction: AppFunction;
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: RolloutStateMachineProps) {
    super(scope, id);
    const { table, reportsBucket: bucket } = props;
    const logRetention = props.logRetention ?? RetentionDays.THREE_MONTHS;
    const environment = { TABLE_NAME: table.tableName };
    const issuerIndex = props.issuerIndexName ?? 'byIssuer';

    this.applyPolicyFunction = new AppFunction(this, 'ApplyPolicyFunction', {
      entryName: 'rollout-apply-policy',
      environment,
      logRetention,
    });
    this.reportFunction = new AppFunction(this, 'ReportFunction', {
      entryName: 'rollout-report',
      environment: {
        ...environment,
        ISSUER_INDEX: issuerIndex,
        REPORTS_BUCKET: bucket.bucketName,
      },
      timeout: Duration.minutes(5),
      logRetention,
    });
    this.approvalRequestFunction = new AppFunction(this, 'ApprovalRequestFunction', {
      entryName: 'rollout-approval-request',
      environment,
      logRetention,
    });

    putItemsUnder(this.applyPolicyFunction, table, POLICY_PK);
    putItemsUnder(this.approvalRequestFunction, table, APPROVAL_PK);
    this.reportFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/${issuerIndex}`],
      }),
    );
    this.reportFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:Scan'], resources: [table.tableArn] }),
    );
    grantKey(table.encryptionKey, this.reportFunction, ['kms:Decrypt']);
    const reportObjects = bucket.arnForObjects(`${REPORTS_PREFIX}*`);
    this.reportFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:PutObject'], resources: [reportObjects] }),
    );
    grantKey(props.reportsKey ?? bucket.encryptionKey, this.reportFunction, [
      'kms:GenerateDataKey',
    ]);
    this.reportFunction.acknowledgeWildcardResource(
      reportObjects,
      `Reports are objects under ${REPORTS_PREFIX}; the key prefix is the narrowest scope.`,
    );

    this.logGroup = new LogGroup(this, 'Logs', {
      // The vendedlogs prefix keeps CloudWatch Logs' resource policy from growing per log group.
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200 })}`,
      retention: logRetention,
    });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromChainable(this.#definition(props)),
      stateMachineType: StateMachineType.STANDARD,
      comment: 'edoc-hub rollout: phases in order, each reported on and approved before the next',
      tracingEnabled: true,
      logs: {
        destination: this.logGroup,
        level: props.logLevel ?? LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    if (props.alarmTopic?.masterKey) {
      grantKey(props.alarmTopic.masterKey, this.stateMachine, [
        'kms:Decrypt',
        'kms:GenerateDataKey',
      ]);
    }
    this.#acknowledgeStateMachineFindings();
  }

  #definition(props: RolloutStateMachineProps) {
    const failed = new Fail(this, 'RolloutFailed', {
      error: 'RolloutFailed',
      causePath: '$.error.Cause',
    });
    const notify = props.alarmTopic
      ? new SnsPublish(this, 'NotifyFailure', {
          topic: props.alarmTopic,
          subject: 'edoc-hub: rollout execution failed',
          message: TaskInput.fromObject({
            scheduleId: JsonPath.stringAt('$.scheduleId'),
            phaseId: JsonPath.stringAt('$.phaseId'),
            error: JsonPath.stringAt('$.error.Error'),
            cause: JsonPath.stringAt('$.error.Cause'),
            execution: JsonPath.executionId,
          }),
          resultPath: JsonPath.DISCARD,
        }).addCatch(failed, { resultPath: '$.notifyError' })
      : new Pass(this, 'NotifyFailure', { comment: 'No alarm topic: the failure is in the logs.' });
    notify.next(failed);
    const onError = { resultPath: '$.error' };

    const applyPolicy = new LambdaInvoke(this, 'ApplyPolicy', {
      lambdaFunction: this.applyPolicyFunction,
      payloadResponseOnly: true,
      payload: TaskInput.fromObject({
        scheduleId: JsonPath.stringAt('$.scheduleId'),
        phaseId: JsonPath.stringAt('$.phaseId'),
        startAt: JsonPath.stringAt('$.startAt'),
        endAt: JsonPath.stringAt('$.endAt'),
        policy: JsonPath.objectAt('$.policy'),
      }),
      resultPath: '$.appliedPolicy',
    }).addCatch(notify, onError);

    const report = new LambdaInvoke(this, 'GenerateReport', {
      lambdaFunction: this.reportFunction,
      payloadResponseOnly: true, // no payload: the function gets the whole iteration state
      resultPath: '$.report',
    }).addCatch(notify, onError);

    const approval = new LambdaInvoke(this, 'RequestApproval', {
      lambdaFunction: this.approvalRequestFunction,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({
        taskToken: JsonPath.taskToken,
        scheduleId: JsonPath.stringAt('$.scheduleId'),
        phaseId: JsonPath.stringAt('$.phaseId'),
        title: JsonPath.stringAt('$.title'),
        recipients: JsonPath.listAt('$.reportWindow.recipients'),
        report: JsonPath.objectAt('$.report'),
      }),
      taskTimeout: Timeout.duration(props.approvalTimeout ?? Duration.days(30)),
      ...(props.approvalHeartbeat
        ? { heartbeatTimeout: Timeout.duration(props.approvalHeartbeat) }
        : {}),
      resultPath: '$.approval',
    }).addCatch(notify, onError);

    const invalidDecision = new Pass(this, 'InvalidDecision', {
      result: Result.fromObject({
        Error: 'InvalidApprovalDecision',
        Cause: 'the approval output has no decision "approved" or "rejected"',
      }),
      resultPath: '$.error',
    }).next(notify);
    const rejected = Condition.stringEquals('$.approval.decision', 'rejected');
    const extend = Condition.stringEquals('$.onReject.action', 'extend');
    const countExtension = new Pass(this, 'CountExtension', {
      parameters: { count: JsonPath.mathAdd(JsonPath.numberAt('$.extension.count'), 1) },
      resultPath: '$.extension',
    })
      .next(
        new Wait(this, 'WaitForExtension', {
          time: WaitTime.secondsPath('$.onReject.extensionSeconds'),
        }),
      )
      .next(report);
    const decide = new Choice(this, 'ApprovalDecision')
      .when(Condition.not(Condition.isPresent('$.approval.decision')), invalidDecision)
      .when(
        Condition.stringEquals('$.approval.decision', 'approved'),
        new Succeed(this, 'PhaseApproved'),
      )
      .when(
        Condition.and(rejected, Condition.stringEquals('$.onReject.action', 'stop')),
        new Fail(this, 'RolloutStopped', {
          error: 'RolloutStopped',
          cause: 'The phase report was rejected and the schedule stops the rollout on rejection.',
        }),
      )
      .when(
        Condition.and(
          rejected,
          extend,
          Condition.numberLessThanJsonPath('$.extension.count', '$.onReject.maxExtensions'),
        ),
        countExtension,
      )
      .when(
        Condition.and(rejected, extend),
        new Fail(this, 'ExtensionsExhausted', {
          error: 'RolloutStopped',
          cause: 'The phase report was rejected after the last extension the schedule allows.',
        }),
      )
      .otherwise(invalidDecision);

    const phase = new Wait(this, 'WaitForPhaseStart', {
      time: WaitTime.timestampPath('$.startAt'),
    })
      .next(applyPolicy)
      .next(
        new Choice(this, 'IsOpenEnded')
          .when(Condition.isNull('$.endAt'), new Succeed(this, 'PolicyInForce'))
          .otherwise(
            new Wait(this, 'WaitForPhaseEnd', { time: WaitTime.timestampPath('$.endAt') }).next(
              new Choice(this, 'HasReport')
                .when(Condition.isNull('$.reportWindow'), new Succeed(this, 'PhaseEnded'))
                .otherwise(report.next(approval).next(decide)),
            ),
          ),
      );

    const item = (field: string) => JsonPath.stringAt(`$$.Map.Item.Value.${field}`);
    const phases = new MapState(this, 'Phases', {
      itemsPath: '$.phases',
      maxConcurrency: 1,
      itemSelector: {
        scheduleId: JsonPath.stringAt('$.scheduleId'),
        timezone: JsonPath.stringAt('$.timezone'),
        phaseId: item('phaseId'),
        title: item('title'),
        startAt: item('startAt'),
        endAt: item('endAt'),
        reportWindow: item('reportWindow'),
        policy: item('policy'),
        onReject: item('onReject'),
        extension: { count: 0 },
      },
      resultPath: JsonPath.DISCARD,
    }).itemProcessor(phase);
    return phases.next(new Succeed(this, 'RolloutComplete'));
  }

  #acknowledgeStateMachineFindings(): void {
    const role = this.stateMachine.role;
    const stack = Stack.of(this);
    const functions = [this.applyPolicyFunction, this.reportFunction, this.approvalRequestFunction];
    for (const fn of functions) {
      const resource = fn.node.defaultChild;
      if (!(resource instanceof CfnElement)) continue;
      const logicalId = stack.getLogicalId(resource);
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason:
          'CDK grants lambda:InvokeFunction on the function and its versions/aliases (ARN:*); ' +
          'the wildcard covers only qualifiers of this one function.',
      });
    }
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords and the CloudWatch Logs delivery actions ' +
        '(CreateLogDelivery, DescribeResourcePolicies…) have no resource-level permissions.',
    });
  }
}

/** PutItem on the table only for items whose partition key is `pk` (IAM LeadingKeys). */
function putItemsUnder(fn: AppFunction, table: ITableV2 | ITable, pk: string): void {
  fn.grantStatusItems(table, ['dynamodb:PutItem'], [pk]);
  grantKey(table.encryptionKey, fn, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']);
}

/** Named KMS actions only (`grantEncrypt` would add `kms:ReEncrypt*` and `GenerateDataKey*`). */
function grantKey(key: IKey | undefined, grantee: IGrantable, actions: string[]): void {
  key?.grant(grantee, ...actions);
}
