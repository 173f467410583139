import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as z from 'zod';
import { listenOnLoopback, readBody, sendJson } from './http-server.ts';
import { TaskTokenError, type TaskTokens } from './task-tokens.ts';

export interface SfnEndpoint {
  /** For `AWS_ENDPOINT_URL_SFN` or an SFNClient's `endpoint`. */
  readonly url: string;
  stop(): Promise<void>;
}

const token = z.string().min(1).max(1024);
const operations = {
  SendTaskSuccess: z.object({ taskToken: token, output: z.string().max(262_144) }),
  SendTaskFailure: z.object({
    taskToken: token,
    error: z.string().max(256).optional(),
    cause: z.string().max(32_768).optional(),
  }),
  SendTaskHeartbeat: z.object({ taskToken: token }),
};

const TARGET_PREFIX = 'AWSStepFunctions.';

/**
 * The three task-token operations of the Step Functions API (AWS JSON 1.0 protocol: POST `/`,
 * `X-Amz-Target: AWSStepFunctions.<Operation>`) on loopback, answering them from `tokens`, so
 * that the admin API's SendTaskSuccess resumes a local execution. Errors carry the API's
 * `__type` (InvalidToken, TaskTimedOut, InvalidOutput, ValidationException), which the SDK turns
 * into its exception classes. Requests are not authenticated.
 */
export async function startSfnEndpoint(options: {
  readonly port: number;
  readonly tokens: TaskTokens;
}): Promise<SfnEndpoint> {
  const server = createServer((request, response) => {
    serve(request, response, options.tokens).catch(() => {
      if (!response.headersSent) reply(response, 500, { __type: 'InternalFailure' });
      else response.destroy();
    });
  });
  return listenOnLoopback(server, options.port);
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  tokens: TaskTokens,
): Promise<void> {
  const raw = (await readBody(request)) ?? Buffer.alloc(0);
  const target = String(request.headers['x-amz-target'] ?? '');
  const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  if (request.method !== 'POST' || !isOperation(operation)) {
    reply(response, 400, {
      __type: 'UnknownOperationException',
      message: `${target || 'no X-Amz-Target'} is not served locally`,
    });
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8') || '{}');
  } catch {
    reply(response, 400, { __type: 'SerializationException', message: 'the body is not JSON' });
    return;
  }
  try {
    if (operation === 'SendTaskSuccess') {
      const input = operations.SendTaskSuccess.parse(body);
      tokens.succeed(input.taskToken, input.output);
    } else if (operation === 'SendTaskFailure') {
      const input = operations.SendTaskFailure.parse(body);
      tokens.fail(input.taskToken, input.error, input.cause);
    } else {
      tokens.heartbeat(operations.SendTaskHeartbeat.parse(body).taskToken);
    }
  } catch (error) {
    if (error instanceof z.ZodError) {
      reply(response, 400, { __type: 'ValidationException', message: z.prettifyError(error) });
      return;
    }
    if (error instanceof TaskTokenError) {
      reply(response, 400, { __type: `com.amazonaws.sfn#${error.type}`, message: error.message });
      return;
    }
    throw error;
  }
  reply(response, 200, {});
}

function isOperation(name: string): name is keyof typeof operations {
  return Object.hasOwn(operations, name);
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  sendJson(response, status, body, 'application/x-amz-json-1.0');
}
