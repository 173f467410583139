import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { App, CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Context } from 'aws-lambda';
import { ExecutionError, type RunOptions, StateMachine } from 'aws-local-stepfunctions';
import * as z from 'zod';
import { DynamoDbApprovalDesk } from '#adapters/dynamodb-approval-desk.ts';
import { SfnApprovalGateway } from '#adapters/sfn-approval-gateway.ts';
import { buildApp } from '#infra/app.ts';
import type { Caller } from '#shared/documents/caller.ts';
import { decideApproval } from '#shared/documents/rollout-approvals.ts';
import type { StateMachineInput } from '#shared/rollout/state-machine-input.ts';
import { localAccount, localCredentials, localRegion, localStage } from './emulators.ts';
import { invokeHandler } from './invoke-handler.ts';
import { type SfnEndpoint, startSfnEndpoint } from './sfn-endpoint.ts';
import {
  functionLogicalId,
  maxLocalTimerSeconds,
  stateMachineDefinition,
} from './state-machine-definition.ts';
import { TaskFailure, TaskTokens } from './task-tokens.ts';

type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type Json = Awaited<ReturnType<TaskHandlers[string]>>;
type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** The name the local state machine goes by in ARNs (CloudFormation generates the real one). */
export const localStateMachineName = `edoc-${localStage}-rollout`;
export const localStateMachineArn = `arn:aws:states:${localRegion}:${localAccount}:stateMachine:${localStateMachineName}`;

/** Variables a function gets from its runtime or construct, not from the stack's resources. */
const RUNTIME_VARIABLES = new Set(['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME']);

export interface RolloutRunnerOptions {
  /**
   * The handlers' environment (the local stack's: region, credentials, emulator endpoints,
   * TABLE_NAME, ISSUER_INDEX, REPORTS_BUCKET…). Set on `process.env` with the runner's own
   * STATE_MACHINE_ARN and AWS_ENDPOINT_URL_SFN before the handlers are imported, since they read
   * it at module load. Every variable the synthesized functions declare must be in it.
   */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Compressed time: every Wait state pauses this many milliseconds instead of waiting for its
   * timestamp or its seconds. Instants in the input are untouched, so policies and reports carry
   * the schedule's own. @default 0
   */
  readonly waitMs?: number;
  /** Port of the Step Functions endpoint (SendTaskSuccess/Failure/Heartbeat). 0 picks one. @default 0 */
  readonly sfnPort?: number;
  /**
   * Called when a task has ended (for `.waitForTaskToken`, once its token is answered), before
   * the execution goes on, so the caller can read the stores as they are right after that step.
   */
  readonly onTask?: (record: TaskRecord) => void | Promise<void>;
}

/** One invocation of a task's function, as the execution history would show it. */
export interface TaskRecord {
  readonly execution: string;
  readonly state: string;
  /** The function's file under `functions/`, e.g. `rollout-report`. */
  readonly entry: string;
  /** What the function received. */
  readonly payload: unknown;
  /** What the function returned. */
  readonly result?: unknown;
  /** What the state received: the result, or for `.waitForTaskToken` SendTaskSuccess's output. */
  readonly output?: unknown;
  /** The function threw, or SendTaskFailure answered the token. */
  readonly error?: { readonly name: string; readonly message: string };
}

/** A `.waitForTaskToken` task waiting for SendTaskSuccess, as the approval handler stored it. */
export interface ApprovalRequest {
  readonly phaseId: string;
  readonly attempt: number;
  readonly taskToken: string;
}

export type ExecutionOutcome =
  | { readonly status: 'SUCCEEDED'; readonly output: unknown }
  | { readonly status: 'FAILED'; readonly error: string; readonly cause: string }
  | { readonly status: 'ABORTED' };

export interface StartExecutionOptions {
  /** Unique per runner. @default `rollout-<n>` */
  readonly name?: string;
  /**
   * Approves each report as this administrator through the admin API's use case (the approval
   * item is marked decided, then SendTaskSuccess reaches the endpoint), as soon as it is asked.
   * @default none: someone must decide through the API
   */
  readonly autoApprove?: Caller;
}

export interface RolloutExecution {
  readonly executionArn: string;
  /** Settles when the execution ends; never rejects. */
  readonly result: Promise<ExecutionOutcome>;
  /** Every task invocation so far, in order. */
  readonly tasks: readonly TaskRecord[];
  /**
   * The next approval the execution asks for (the first call gives the first one, and so on);
   * rejects if the execution ends without asking.
   */
  nextApproval(): Promise<ApprovalRequest>;
  abort(): void;
}

export interface RolloutRunner {
  readonly stateMachineArn: string;
  readonly sfnEndpoint: string;
  /** What the admin API needs to send its decisions here: STATE_MACHINE_ARN, AWS_ENDPOINT_URL_SFN. */
  readonly env: Readonly<Record<string, string>>;
  start(input: StateMachineInput, options?: StartExecutionOptions): RolloutExecution;
  /** Aborts running executions and stops the endpoint. */
  stop(): Promise<void>;
}

interface BoundFunction {
  readonly entry: string;
  readonly logicalId: string;
  readonly load: () => Promise<{ readonly handler: LambdaHandler }>;
  readonly timeoutMs: number;
  readonly memoryMb: number;
}

type TaskKind = 'function' | 'invoke' | 'waitForTaskToken';

interface BoundTask {
  readonly state: string;
  readonly kind: TaskKind;
  readonly fn: BoundFunction;
  readonly handler: LambdaHandler;
}

/**
 * The rollout state machine of the deployed stateless stack, run in this process on
 * aws-local-stepfunctions:
 *
 * 1. synthesizes the app as `cdk deploy` would (stage `local`, no bundling) and takes the
 *    definition from the template, its timers capped at what Node can arm (the 30-day approval
 *    timeout becomes 24.8 days);
 * 2. binds every Task state to the real handler of the function its resource names, invoked as
 *    Lambda would (JSON in and out, a context with the template's timeout and memory); a Task
 *    with another resource, or a function the runner does not know, fails the start;
 * 3. checks that `env` sets every variable the template gives those functions;
 * 4. serves SendTaskSuccess/Failure/Heartbeat on loopback for the approval task's token, which is
 *    new each time the task is entered, as in Step Functions;
 * 5. compresses time with a fixed pause per Wait state (`waitMs`).
 */
export async function startRolloutRunner(options: RolloutRunnerOptions): Promise<RolloutRunner> {
  const app = new App({ context: { stage: localStage, 'aws:cdk:bundling-stacks': [] } });
  const { stateless } = buildApp(app);
  const template = Template.fromStack(stateless);
  const definition = stateMachineDefinition(template, {
    account: localAccount,
    region: localRegion,
    maxTimerSeconds: maxLocalTimerSeconds,
  });
  const { rollout } = stateless;
  const functions = [
    bindFunction(
      rollout.applyPolicyFunction,
      'rollout-apply-policy',
      () => import('#functions/rollout-apply-policy.ts'),
    ),
    bindFunction(
      rollout.reportFunction,
      'rollout-report',
      () => import('#functions/rollout-report.ts'),
    ),
    bindFunction(
      rollout.approvalRequestFunction,
      'rollout-approval-request',
      () => import('#functions/rollout-approval-request.ts'),
    ),
  ].map((bind) => bind(template));
  for (const fn of functions) checkEnvironment(template, fn, options.env);
  const { tasks, waits } = walkStates(definition);

  const tokens = new TaskTokens();
  const endpoint: SfnEndpoint = await startSfnEndpoint({ port: options.sfnPort ?? 0, tokens });
  const runnerEnv = { STATE_MACHINE_ARN: localStateMachineArn, AWS_ENDPOINT_URL_SFN: endpoint.url };
  Object.assign(process.env, options.env, runnerEnv);

  let bound: BoundTask[];
  try {
    bound = await Promise.all(
      tasks.map(async (task): Promise<BoundTask> => {
        const logicalId = functionLogicalId(task.functionArn);
        const fn = functions.find((f) => f.logicalId === logicalId);
        if (fn === undefined) {
          throw new Error(
            `task ${task.state} calls ${task.functionArn}, which has no local handler`,
          );
        }
        return { state: task.state, kind: task.kind, fn, handler: (await fn.load()).handler };
      }),
    );
  } catch (error) {
    await endpoint.stop();
    throw error;
  }

  const clientConfig = {
    region: requiredVariable(options.env, 'AWS_REGION'),
    credentials: localCredentials,
  };
  const sfn = new SFNClient({ ...clientConfig, endpoint: endpoint.url });
  const dynamodb = new DynamoDBClient({
    ...clientConfig,
    endpoint: requiredVariable(options.env, 'AWS_ENDPOINT_URL_DYNAMODB'),
  });
  const approvals = {
    desk: new DynamoDbApprovalDesk(dynamodb, requiredVariable(options.env, 'TABLE_NAME')),
    gateway: new SfnApprovalGateway(sfn),
  };
  const waitTimeOverrides = Object.fromEntries(waits.map((w) => [w, options.waitMs ?? 0]));
  const running = new Set<RolloutExecution>();
  let count = 0;

  const start = (
    input: StateMachineInput,
    startOptions: StartExecutionOptions = {},
  ): RolloutExecution => {
    count += 1;
    const name = startOptions.name ?? `rollout-${count}`;
    const executionArn = `arn:aws:states:${localRegion}:${localAccount}:execution:${localStateMachineName}:${name}`;
    const records: TaskRecord[] = [];
    let ended = false;
    const requests = new Queue<ApprovalRequest>();
    const record = async (entry: TaskRecord) => {
      records.push(entry);
      await options.onTask?.(entry);
    };
    const approve = async (request: ApprovalRequest) => {
      if (startOptions.autoApprove === undefined) return;
      try {
        await decideApproval(
          { approvals, clock: { now: () => new Date() } },
          startOptions.autoApprove,
          request.phaseId,
          { decision: 'approved' },
        );
      } catch (error) {
        tokens.fail(request.taskToken, 'AutoApprovalFailed', errorText(error));
      }
    };
    const handlers: TaskHandlers = Object.fromEntries(
      bound.map((task) => [
        task.state,
        (taskInput: Json) =>
          runTask(task, taskInput, {
            execution: executionArn,
            ended: () => ended,
            tokens,
            record,
            requests,
            approve,
          }),
      ]),
    );
    // Step Functions issues a token each time a task is entered; the library reads
    // `$$.Task.Token` from the context object it is given, so reading it issues one.
    const context = {
      Execution: { Id: executionArn, Name: name },
      StateMachine: { Id: localStateMachineArn, Name: localStateMachineName },
      Task: {
        get Token() {
          return tokens.issue(executionArn);
        },
      },
    };
    const run = new StateMachine(definition).run(roundTrip(input), {
      overrides: { taskResourceLocalHandlers: handlers, waitTimeOverrides },
      noThrowOnAbort: true,
      context,
    });
    const result = outcomeOf(run.result).then((outcome) => {
      ended = true;
      tokens.closeExecution(executionArn, `the execution ended: ${outcome.status}`);
      requests.close(new Error(`the execution ended (${outcome.status}) without asking`));
      running.delete(execution);
      return outcome;
    });
    const execution: RolloutExecution = {
      executionArn,
      result,
      tasks: records,
      nextApproval: () => requests.next(),
      abort: run.abort,
    };
    running.add(execution);
    return execution;
  };

  return {
    stateMachineArn: localStateMachineArn,
    sfnEndpoint: endpoint.url,
    env: runnerEnv,
    start,
    async stop() {
      const ending = [...running];
      for (const execution of ending) execution.abort();
      await Promise.all(ending.map((e) => e.result));
      sfn.destroy();
      dynamodb.destroy();
      await endpoint.stop();
    },
  };
}

interface TaskRun {
  readonly execution: string;
  /** True once the execution has failed, succeeded or been aborted. */
  readonly ended: () => boolean;
  readonly tokens: TaskTokens;
  readonly record: (entry: TaskRecord) => Promise<void>;
  readonly requests: Queue<ApprovalRequest>;
  readonly approve: (request: ApprovalRequest) => Promise<void>;
}

const invokeParameters = z.looseObject({ FunctionName: z.string(), Payload: z.unknown() });
const approvalResult = z.object({ phaseId: z.string(), attempt: z.int() });

/**
 * One Task state: the function gets its payload as Lambda would deliver it, and the state gets
 * what Step Functions would make of the answer (the bare result for a function ARN, the Invoke
 * API's response for `lambda:invoke`, SendTaskSuccess's output for `.waitForTaskToken`).
 */
async function runTask(task: BoundTask, input: Json, run: TaskRun): Promise<Json> {
  // aws-local-stepfunctions aborts the running Map iterations when one fails, but still starts
  // the queued ones afterwards: their tasks must not run. The failure settles the execution in
  // microtasks, so after one turn of the event loop `ended` tells.
  await new Promise((resolve) => setImmediate(resolve));
  if (run.ended()) throw new TaskFailure('States.Runtime', 'the execution has ended');
  const payload = task.kind === 'function' ? input : invokeParameters.parse(input).Payload;
  const waiting = task.kind === 'waitForTaskToken' ? run.tokens.open(payload) : undefined;
  let result: unknown;
  try {
    result = roundTrip(
      await invokeHandler(task.handler, roundTrip(payload), {
        name: task.fn.entry,
        region: localRegion,
        memoryMb: task.fn.memoryMb,
        timeoutMs: task.fn.timeoutMs,
      }),
    );
  } catch (error) {
    const failure = lambdaError(error);
    await run.record({
      execution: run.execution,
      state: task.state,
      entry: task.fn.entry,
      payload,
      error: { name: failure.name, message: failure.message },
    });
    if (waiting !== undefined) run.tokens.fail(waiting.token, failure.name, failure.message);
    throw failure;
  }
  const done = {
    execution: run.execution,
    state: task.state,
    entry: task.fn.entry,
    payload,
    result,
  };
  if (task.kind === 'function' || task.kind === 'invoke') {
    const output =
      task.kind === 'function'
        ? result
        : { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 };
    await run.record({ ...done, output });
    return roundTrip(output);
  }
  if (waiting === undefined) throw new Error('unreachable: a token task without a token');
  const asked = approvalResult.safeParse(result);
  if (asked.success) {
    const request = { ...asked.data, taskToken: waiting.token };
    run.requests.push(request);
    void run.approve(request);
  }
  let output: unknown;
  try {
    output = await waiting.output;
  } catch (error) {
    const failure = lambdaError(error);
    await run.record({ ...done, error: { name: failure.name, message: failure.message } });
    throw failure;
  }
  await run.record({ ...done, output });
  return roundTrip(output);
}

/** Lambda's view of a thrown error: Error is its type, Cause the JSON Lambda reports. */
function lambdaError(error: unknown): TaskFailure {
  if (error instanceof TaskFailure) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const cause = JSON.stringify({
    errorType: name,
    errorMessage: errorText(error),
    trace: error instanceof Error ? (error.stack ?? '').split('\n') : [],
  });
  return new TaskFailure(name, cause);
}

async function outcomeOf(result: Promise<unknown>): Promise<ExecutionOutcome> {
  try {
    const output = await result;
    return output === null ? { status: 'ABORTED' } : { status: 'SUCCEEDED', output };
  } catch (error) {
    if (error instanceof ExecutionError && error.cause instanceof Error) {
      return { status: 'FAILED', error: error.cause.name, cause: error.cause.message };
    }
    return { status: 'FAILED', error: 'States.Runtime', cause: errorText(error) };
  }
}

const lambdaResource = z.object({
  Properties: z.object({
    Timeout: z.number().optional(),
    MemorySize: z.number().optional(),
    Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }).optional(),
  }),
});

/** A function of the rollout construct, found in the template by its logical id. */
function bindFunction(
  fn: IFunction,
  entry: string,
  load: () => Promise<{ readonly handler: LambdaHandler }>,
): (template: Template) => BoundFunction {
  return (template) => {
    const resource = fn.node.defaultChild;
    if (!(resource instanceof CfnElement))
      throw new Error(`${entry} has no CloudFormation resource`);
    const logicalId = fn.stack.getLogicalId(resource);
    const { Properties } = lambdaResource.parse(
      template.findResources('AWS::Lambda::Function')[logicalId],
    );
    return {
      entry,
      logicalId,
      load,
      // Lambda's defaults when the template says nothing.
      timeoutMs: (Properties.Timeout ?? 3) * 1000,
      memoryMb: Properties.MemorySize ?? 128,
    };
  };
}

/** Every variable the template sets on the function must be set locally, literals to the same value. */
function checkEnvironment(
  template: Template,
  fn: BoundFunction,
  env: Readonly<Record<string, string>>,
): void {
  const { Properties } = lambdaResource.parse(
    template.findResources('AWS::Lambda::Function')[fn.logicalId],
  );
  for (const [name, value] of Object.entries(Properties.Environment?.Variables ?? {})) {
    if (RUNTIME_VARIABLES.has(name)) continue;
    const local = env[name];
    if (local === undefined) {
      throw new Error(`${fn.entry} reads ${name}, which the local environment does not set`);
    }
    if (typeof value === 'string' && value !== local) {
      throw new Error(`${fn.entry} is deployed with ${name}=${value} but would run with ${local}`);
    }
  }
}

const statesSchema = z.object({ States: z.record(z.string(), z.unknown()) });
const stateSchema = z.looseObject({
  Type: z.string(),
  Resource: z.string().optional(),
  Parameters: z.looseObject({ FunctionName: z.string().optional() }).optional(),
  ItemProcessor: z.unknown().optional(),
  Iterator: z.unknown().optional(),
  Branches: z.array(z.unknown()).optional(),
});

interface TaskState {
  readonly state: string;
  readonly kind: TaskKind;
  readonly functionArn: string;
}

/** Task states (with the function each calls) and Wait states, nested ones included. */
function walkStates(machine: unknown): { tasks: TaskState[]; waits: string[] } {
  const tasks: TaskState[] = [];
  const waits: string[] = [];
  const visit = (node: unknown) => {
    for (const [name, raw] of Object.entries(statesSchema.parse(node).States)) {
      const state = stateSchema.parse(raw);
      if (state.Type === 'Wait') waits.push(name);
      if (state.Type === 'Task') tasks.push(taskState(name, state));
      for (const nested of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) {
        if (nested !== undefined) visit(nested);
      }
    }
  };
  visit(machine);
  return { tasks, waits };
}

function taskState(name: string, state: z.infer<typeof stateSchema>): TaskState {
  const resource = state.Resource ?? '';
  if (functionLogicalId(resource) !== undefined) {
    return { state: name, kind: 'function', functionArn: resource };
  }
  const functionArn = state.Parameters?.FunctionName;
  if (resource === 'arn:aws:states:::lambda:invoke' && functionArn !== undefined) {
    return { state: name, kind: 'invoke', functionArn };
  }
  if (resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken' && functionArn !== undefined) {
    return { state: name, kind: 'waitForTaskToken', functionArn };
  }
  throw new Error(`task ${name} calls ${resource}, which the local runner cannot run`);
}

function requiredVariable(env: Readonly<Record<string, string>>, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`the runner's env has no ${name}`);
  return value;
}

/** What Lambda and Step Functions do to every value they pass on: a JSON round trip. */
function roundTrip(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Items in order to one reader at a time; `next` after `close` rejects once the items run out. */
class Queue<T> {
  readonly #items: T[] = [];
  readonly #readers: { resolve: (item: T) => void; reject: (error: Error) => void }[] = [];
  #closed: Error | undefined;

  push(item: T): void {
    const reader = this.#readers.shift();
    if (reader) reader.resolve(item);
    else this.#items.push(item);
  }

  next(): Promise<T> {
    const item = this.#items.shift();
    if (item !== undefined) return Promise.resolve(item);
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise((resolve, reject) => this.#readers.push({ resolve, reject }));
  }

  close(error: Error): void {
    this.#closed = error;
    for (const reader of this.#readers.splice(0)) reader.reject(error);
  }
}
