import { randomBytes } from 'node:crypto';

/** Step Functions' error for a token answered with SendTaskSuccess/Failure/Heartbeat. */
export type TaskTokenErrorType = 'InvalidToken' | 'TaskTimedOut' | 'InvalidOutput';

/** Answers Step Functions gives for a token it cannot resume, by their API error names. */
export class TaskTokenError extends Error {
  readonly type: TaskTokenErrorType;

  constructor(type: TaskTokenErrorType, message: string) {
    super(message);
    this.name = 'TaskTokenError';
    this.type = type;
  }
}

/** What a failed task throws into the state machine: its Catch sees `Error` and `Cause`. */
export class TaskFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

interface OpenTask {
  readonly execution: string;
  readonly resolve: (output: unknown) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The task tokens of the local executions, as Step Functions keeps them: a token is issued when a
 * `.waitForTaskToken` task is entered, stays open until SendTaskSuccess or SendTaskFailure
 * answers it or its execution ends, and is closed for good afterwards.
 */
export class TaskTokens {
  readonly #issued = new Map<string, string>();
  readonly #open = new Map<string, OpenTask>();
  readonly #closed = new Set<string>();

  /** A new opaque token for a task of `execution` (one per read of `$$.Task.Token`). */
  issue(execution: string): string {
    const token = `local-${randomBytes(24).toString('base64url')}`;
    this.#issued.set(token, execution);
    return token;
  }

  /**
   * Opens the task whose input carries an issued token (wherever the Parameters put it) and
   * returns the token with the output SendTaskSuccess will give it.
   */
  open(input: unknown): { token: string; output: Promise<unknown> } {
    const found = [...new Set(strings(input))].filter((s) => this.#issued.has(s));
    const [token] = found;
    if (token === undefined || found.length > 1) {
      throw new Error('a .waitForTaskToken task must pass $$.Task.Token to its resource once');
    }
    const execution = this.#issued.get(token) ?? '';
    this.#issued.delete(token);
    const output = new Promise<unknown>((resolve, reject) => {
      this.#open.set(token, { execution, resolve, reject });
    });
    // A task whose function fails never reads its output: its rejection is not unhandled.
    output.catch(() => undefined);
    return { token, output };
  }

  /** SendTaskSuccess: `output` must be JSON text, as the API requires. */
  succeed(token: string, output: string): void {
    let value: unknown;
    try {
      value = JSON.parse(output);
    } catch {
      throw new TaskTokenError('InvalidOutput', 'the output is not valid JSON');
    }
    this.#take(token).resolve(value);
  }

  /** SendTaskFailure: the task fails with `error` and `cause`, as if its resource had thrown. */
  fail(token: string, error = '', cause = ''): void {
    this.#take(token).reject(new TaskFailure(error, cause));
  }

  /** SendTaskHeartbeat: nothing times out on heartbeats locally, but the token must be open. */
  heartbeat(token: string): void {
    this.#find(token);
  }

  /** Closes the open tasks of an execution that ended: later answers get TaskTimedOut. */
  closeExecution(execution: string, reason: string): void {
    for (const [token, task] of this.#open) {
      if (task.execution !== execution) continue;
      this.#take(token).reject(new TaskFailure('States.Timeout', reason));
    }
    for (const [token, owner] of this.#issued) {
      if (owner === execution) this.#issued.delete(token);
    }
  }

  #find(token: string): OpenTask {
    const task = this.#open.get(token);
    if (task !== undefined) return task;
    if (this.#closed.has(token) || this.#issued.has(token)) {
      throw new TaskTokenError('TaskTimedOut', 'the task of this token is closed or not started');
    }
    throw new TaskTokenError('InvalidToken', 'the task token is not valid');
  }

  #take(token: string): OpenTask {
    const task = this.#find(token);
    this.#open.delete(token);
    this.#closed.add(token);
    return task;
  }
}

function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* strings(item);
  else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) yield* strings(item);
  }
}
