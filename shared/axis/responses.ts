import * as z from 'zod';
import { AxisAuthenticationError, AxisRejectedError, AxisUnavailableError } from './errors.ts';

/*
 * JSON answers of the axis. Every answer has `status` "OK" or "FAIL"; a failure carries
 * `errorCode` and `errorDesc` (the SDK's ErrorCode/ErrorDesc, also accepted). Field names beyond
 * those are ours (unconfirmed) and live only here. Unknown fields are ignored so that additions on
 * the axis side do not break us.
 */

const failureSchema = z
  .object({
    status: z.literal('FAIL'),
    errorCode: z.string().min(1).optional(),
    ErrorCode: z.string().min(1).optional(),
    errorDesc: z.string().optional(),
    ErrorDesc: z.string().optional(),
  })
  .transform((f) => ({
    code: f.errorCode ?? f.ErrorCode,
    description: f.errorDesc ?? f.ErrorDesc ?? '',
  }));

const axisDocIdSchema = z.string().min(1).max(256);

export const sendResponseSchema = z.object({ status: z.literal('OK'), docId: axisDocIdSchema });

export const receivedListResponseSchema = z.object({
  status: z.literal('OK'),
  data: z.array(z.object({ docId: axisDocIdSchema, from: z.string().optional() })).max(10_000),
});

export const okResponseSchema = z.object({ status: z.literal('OK') });

export const agencySchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  parentId: z.string().optional(),
});
export type AxisAgency = z.output<typeof agencySchema>;

export const agenciesResponseSchema = z.object({
  status: z.literal('OK'),
  data: z.array(agencySchema),
});

/** HTTP statuses worth retrying: the request may succeed unchanged later. */
const RETRYABLE_HTTP = new Set([408, 425, 429]);

/** A readable description of an unreadable answer, for logs: short and never the whole body. */
function excerpt(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The error an answer that is not a success stands for: `FAIL` or 4xx → AxisRejectedError with the
 * axis's code (`HTTP_<status>` when it gave none); 401/403 → AxisAuthenticationError;
 * 408/425/429/5xx → AxisUnavailableError. `undefined` when the answer is a 2xx without `FAIL`.
 */
export function errorOf(httpStatus: number, text: string): Error | undefined {
  const failure = failureSchema.safeParse(parseJson(text));
  const code = (failure.success ? failure.data.code : undefined) ?? `HTTP_${httpStatus}`;
  const description = failure.success ? failure.data.description : excerpt(text);
  if (httpStatus === 401 || httpStatus === 403) {
    return new AxisAuthenticationError(
      `axis refused our credentials (${httpStatus} ${code}): ${description}`,
    );
  }
  if (httpStatus >= 500 || RETRYABLE_HTTP.has(httpStatus)) {
    return new AxisUnavailableError(`axis unavailable (${httpStatus} ${code}): ${description}`);
  }
  if (httpStatus >= 400 || failure.success) {
    return new AxisRejectedError(code, description, httpStatus);
  }
  if (httpStatus < 200 || httpStatus >= 300) {
    return new AxisUnavailableError(`unexpected HTTP status ${httpStatus} from the axis`);
  }
  return undefined;
}

/**
 * The value of a JSON answer: an error (see errorOf) is thrown; a 2xx that does not match the
 * schema throws AxisUnavailableError (a proxy's error page, a half-deployed axis: retry, then DLQ).
 */
export function readJsonAnswer<S extends z.ZodType>(
  schema: S,
  httpStatus: number,
  text: string,
): z.output<S> {
  const error = errorOf(httpStatus, text);
  if (error) throw error;
  const parsed = schema.safeParse(parseJson(text));
  if (!parsed.success) {
    throw new AxisUnavailableError(
      `unreadable answer from the axis (${httpStatus}): ${excerpt(text)}`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}
