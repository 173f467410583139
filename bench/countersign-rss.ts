/**
 * Child process of the bench: countersigns one file and prints, as JSON, the peak resident set
 * size reached during the countersign minus the resident set size with the input already read
 * (the input itself is not counted: it is what the caller holds anyway).
 * argv: input PDF, PKCS#8 key PEM, JSON array of base64 DER certificates.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as z from 'zod';
import { countersignPdf } from '#signature/countersign.ts';
import { FileSigner } from '#signature/signers/file-signer.ts';

const [input, keyFile, chainFile] = z
  .tuple([z.string(), z.string(), z.string()])
  .parse(process.argv.slice(2));
const signer = new FileSigner(readFileSync(keyFile));
const certificateChain = z
  .array(z.string())
  .parse(JSON.parse(readFileSync(chainFile, 'utf8')))
  .map((b64) => Buffer.from(b64, 'base64'));
const bytes = readFileSync(input);
const before = process.memoryUsage.rss();
const { pdf } = await countersignPdf(bytes, { signer, certificateChain });
const peak = peakRss();
console.log(JSON.stringify({ inputBytes: bytes.length, outputBytes: pdf.length, before, peak }));

/**
 * The high-water mark of this process's own memory. getrusage's maxRSS would not do: Linux
 * carries the parent's figure over fork and exec, so a child of a large parent starts high.
 */
function peakRss(): number {
  if (existsSync('/proc/self/status')) {
    const kb = /^VmHWM:\s*(\d+) kB/m.exec(readFileSync('/proc/self/status', 'latin1'))?.[1];
    if (kb !== undefined) return Number(kb) * 1024;
  }
  return process.resourceUsage().maxRSS * 1024;
}
