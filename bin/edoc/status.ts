import type { DocumentDetail } from '#shared/documents/api-schemas.ts';
import { apiClientFrom, apiOptionSpec } from './api-client.ts';
import { getDocument } from './upload.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

/** `edoc status <id>`: the document as the caller may see it; exit 1 when the API refuses. */
export async function statusCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    ...apiOptionSpec,
    json: { type: 'boolean' },
  });
  const id = singleId(positionals);
  const detail = await getDocument(apiClientFrom(values), id);
  console.log(values.json ? JSON.stringify(detail, null, 2) : formatDetail(detail));
  return 0;
}

/** The one positional argument of commands about one document. */
export function singleId(positionals: readonly string[]): string {
  const [id, ...extra] = positionals;
  if (id === undefined || id.trim() === '') throw new UsageError('the document id is required');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  return id;
}

export function formatDetail(d: DocumentDetail): string {
  const lines = [
    `${d.id}  ${d.status}`,
    `  ${d.number}/${d.notation} (${d.year}) from ${d.issuer}${d.typeCode ? `, ${d.typeCode}` : ''}`,
    ...(d.subject ? [`  subject:     ${d.subject}`] : []),
    ...(d.signer ? [`  signed by:   ${d.signer.name}, ${d.signer.position}`] : []),
    `  recipients:  ${d.recipients.join(', ')}`,
    `  countersigned: ${d.countersigned ? 'yes' : 'no'}`,
    '  history:',
    ...d.history.map(
      (h) => `    ${h.status.padEnd(16)} ${h.at}  ${h.actor}${h.note ? `  ${h.note}` : ''}`,
    ),
  ];
  if (d.deliveries.length > 0) {
    lines.push('  deliveries:');
    for (const v of d.deliveries) {
      lines.push(
        `    ${v.recipient}  ${v.state.padEnd(13)} ${v.channel}  ${v.updatedAt}${v.reason ? `  ${v.reason}` : ''}`,
      );
    }
  }
  if (d.paperCopy?.required) {
    lines.push(`  paper copy required for ${d.paperCopy.recipients.join(', ')}`);
  }
  if (d.rejectionReasons.length > 0) {
    lines.push('  rejected because:');
    for (const r of d.rejectionReasons) lines.push(`    ${r.code}: ${r.message}`);
  }
  return lines.join('\n');
}
