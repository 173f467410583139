import { writeFile } from 'node:fs/promises';
import { parsePemBundle } from '#signature/certificates.ts';
import { CountersignError, countersignPdf } from '#signature/countersign.ts';
import { TsaClient } from '#signature/tsa-client.ts';
import { signerFromOptions, signerOptionSpec } from './signer-options.ts';
import { parseCommandArgs, readInputFile, UsageError } from './usage.ts';

/**
 * `edoc countersign`: applies the organization signature to a PDF as an incremental update, with
 * the key where it lives (file, KMS or HSM). Exit 1 with the reason when the document cannot take
 * it (encrypted, certified with no changes allowed, unreadable). Invisible unless `--stamp` gives
 * a rectangle on the first page.
 */
export async function countersignCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    ...signerOptionSpec,
    cert: { type: 'string' },
    out: { type: 'string' },
    reason: { type: 'string' },
    location: { type: 'string' },
    tsa: { type: 'string' },
    stamp: { type: 'string' },
  });
  const [inputPath, ...extra] = positionals;
  if (inputPath === undefined) throw new UsageError('the input PDF is required');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  if (values.out === undefined || values.cert === undefined) {
    throw new UsageError('--out and --cert are required');
  }
  const certificateChain = readChain(await readInputFile(values.cert), values.cert);
  if (values.tsa !== undefined && !/^https?:\/\//.test(values.tsa)) {
    throw new UsageError('--tsa must be an http(s) URL');
  }
  const stamp = values.stamp === undefined ? undefined : parseRect(values.stamp);
  const input = await readInputFile(inputPath);
  const tsa = values.tsa === undefined ? undefined : new TsaClient({ url: values.tsa });

  const { signer, close } = await signerFromOptions(values);
  try {
    const result = await countersignPdf(input, {
      signer,
      certificateChain,
      ...(values.reason === undefined ? {} : { reason: values.reason }),
      ...(values.location === undefined ? {} : { location: values.location }),
      ...(stamp ? { stamp: { rect: stamp } } : {}),
      ...(tsa ? { timestamp: (signature: Buffer) => tsa.timestamp(signature) } : {}),
    });
    await writeFile(values.out, result.pdf);
    console.log(`countersigned as ${result.fieldName}, written to ${values.out}`);
    return 0;
  } catch (error) {
    if (error instanceof CountersignError) {
      console.error(`edoc countersign: cannot countersign (${error.code}): ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await close();
  }
}

/** `--stamp x1,y1,x2,y2` in points, origin bottom left of the first page. */
function parseRect(text: string): [number, number, number, number] {
  const parts = text.split(',').map((p) => Number(p.trim()));
  const [x1, y1, x2, y2] = parts;
  if (
    parts.length !== 4 ||
    x1 === undefined ||
    y1 === undefined ||
    x2 === undefined ||
    y2 === undefined ||
    !parts.every(Number.isFinite) ||
    x2 <= x1 ||
    y2 <= y1
  ) {
    throw new UsageError('--stamp must be x1,y1,x2,y2 with x1 < x2 and y1 < y2');
  }
  return [x1, y1, x2, y2];
}

/** The chain from a PEM bundle (leaf first), or a single DER certificate. */
function readChain(bytes: Buffer, path: string): Buffer[] {
  const text = bytes.toString('latin1');
  if (text.includes('-----BEGIN')) {
    const chain = parsePemBundle(text);
    if (chain.length === 0) throw new UsageError(`${path} holds no certificate`);
    return chain;
  }
  if (bytes[0] !== 0x30) throw new UsageError(`${path} is neither PEM nor a DER certificate`);
  return [bytes];
}
