import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** The deployed function a local stand-in plays. */
export interface LocalFunction {
  readonly name: string;
  readonly region: string;
  readonly memoryMb: number;
  readonly timeoutMs: number;
}

/**
 * Runs a handler in this process as Lambda would run the function: with a context naming it and
 * counting down its timeout, and a rejection once the timeout passes (the handler itself is not
 * stopped, as nothing can stop a promise).
 */
export async function invokeHandler<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  event: E,
  fn: LocalFunction,
): Promise<R> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`handler timed out after ${fn.timeoutMs} ms`)),
      fn.timeoutMs,
    );
  });
  try {
    return await Promise.race([handler(event, lambdaContext(fn)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function lambdaContext(fn: LocalFunction): Context {
  const deadline = Date.now() + fn.timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${fn.region}:000000000000:function:${fn.name}`,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
