import {
  RECEIPT_CODES,
  receiptBodySchema,
  receiptResultSchema,
} from '#shared/documents/api-schemas.ts';
import { apiClientFrom, apiOptionSpec } from './api-client.ts';
import { singleId } from './status.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

/**
 * `edoc receipt <id> --code 03 [--reason …]`: a recipient reports an edXML status code on its
 * delivery (01 arrived, 02 refused (reason required), 03 accepted, 04–06 handling, 15/16 recall).
 */
export async function receiptCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    ...apiOptionSpec,
    code: { type: 'string' },
    reason: { type: 'string' },
  });
  const id = singleId(positionals);
  const body = receiptBodySchema.safeParse({
    code: values.code,
    ...(values.reason === undefined ? {} : { reason: values.reason }),
  });
  if (!body.success) {
    const known = RECEIPT_CODES.some((c) => c === values.code);
    throw new UsageError(
      !known
        ? `--code must be one of ${RECEIPT_CODES.join(', ')}`
        : values.reason === undefined
          ? `--code ${values.code} (refused) needs --reason`
          : '--reason must be 1 to 1000 characters',
    );
  }
  const result = await apiClientFrom(values).request(
    'POST',
    `/documents/${encodeURIComponent(id)}/receipts`,
    { body: body.data, schema: receiptResultSchema },
  );
  console.log(
    `${result.documentId}: delivery to ${result.recipient} is now ${result.state} (${result.updatedAt})`,
  );
  return 0;
}
