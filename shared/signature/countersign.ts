import { createHash, type Hash } from 'node:crypto';
import { formatPdfDate } from '#pdf/dates.ts';
import { openPdf, type PdfDocument } from '#pdf/document.ts';
import { PdfFormatError } from '#pdf/errors.ts';
import { IncrementalUpdate, PdfWriteError, type StreamToWrite } from '#pdf/incremental-writer.ts';
import {
  arr,
  dict,
  isArray,
  isDict,
  isName,
  isRef,
  isString,
  name,
  type PdfArray,
  type PdfDict,
  type PdfObject,
  type PdfRef,
  refKey,
  str,
} from '#pdf/objects.ts';
import { serializeNumber, serializeString } from '#pdf/serialize.ts';
import { decodeTextString, textString } from '#pdf/text-string.ts';
import { type Signer, SignerError } from '#ports/signer.ts';
import { DomainError } from '#shared/errors.ts';
import { certificateSummary } from './certificates.ts';
import { buildPadesCms, estimateCmsSize } from './cms-builder.ts';
import { hashOf } from './signers/algorithms.ts';

/** Why a document cannot be countersigned; stable strings for callers and status records. */
export type CountersignErrorCode =
  /** The file is not a PDF the reader can make sense of. */
  | 'unparseable'
  /** The file is encrypted: an update would have to be encrypted too, which is not supported. */
  | 'encrypted'
  /** A certification signature (DocMDP P=1) forbids any change, a new signature included. */
  | 'changes-not-permitted'
  /** The document has no page to attach the signature widget to. */
  | 'no-page'
  /** The CMS came out larger than the /Contents room reserved for it. */
  | 'signature-too-large';

/** The document cannot receive the organization signature; `code` says why. */
export class CountersignError extends DomainError {
  readonly code: CountersignErrorCode;

  constructor(code: CountersignErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export interface CountersignOptions {
  readonly signer: Signer;
  /** DER certificates, the organization's first, then its issuers. */
  readonly certificateChain: Buffer[];
  readonly reason?: string;
  readonly location?: string;
  /** The time written to /M. @default now */
  readonly signingTime?: Date;
  /** Returns an RFC 3161 token over the signature value, for PAdES B-T. */
  readonly timestamp?: (signatureValue: Buffer) => Promise<Buffer>;
  /** Prefix of the new field's name, numbered from 1. @default 'OrgSignature' */
  readonly fieldNamePrefix?: string;
  /** Offset from UTC that /M is written in. @default 420 (Vietnam, UTC+07:00) */
  readonly utcOffsetMinutes?: number;
  /** A visible stamp on the first page; without it the signature is invisible. */
  readonly stamp?: StampOptions;
}

/**
 * A visible stamp: a framed rectangle with the organization name and the signing time (ISO 8601
 * with the offset, e.g. 2019-04-16T09:30:00+07:00), as Decree 30 shows it on attachments.
 */
export interface StampOptions {
  /** [x1 y1 x2 y2] in the first page's default user space (points, origin bottom left). */
  readonly rect: readonly [number, number, number, number];
  /** @default the certificate's O, else its CN */
  readonly organization?: string;
}

export interface CountersignResult {
  /** The original bytes unchanged, followed by the signing revision. */
  readonly pdf: Buffer;
  readonly fieldName: string;
  readonly byteRange: readonly [number, number, number, number];
  /** The CMS SignedData written into /Contents (without its zero padding). */
  readonly cms: Buffer;
  readonly signingTime: Date;
  readonly xrefKind: 'table' | 'stream';
}

const BYTE_RANGE_PLACEHOLDER = 9_999_999_999;
const MAX_PAGE_TREE_NODES = 10_000;
/** Print + Locked (§12.5.3): shown when printed, cannot be deleted or moved. */
const WIDGET_FLAGS = 4 | 128;
/** SignaturesExist + AppendOnly (§12.7.2). */
const SIG_FLAGS = 3;

/**
 * Applies the organization signature (Decree 30/2020: the clerk's seal on a document the competent
 * person has signed) as a PAdES B-B/B-T signature in one incremental update, so every earlier
 * signature keeps covering exactly the bytes it covered.
 *
 * 1. Open the file (cross-reference data only) and refuse encrypted, broken or DocMDP P=1 files.
 * 2. Read the catalog, the AcroForm and the first page — nothing else of the object graph.
 * 3. Add a signature dictionary with fixed-width /ByteRange and /Contents placeholders, a merged
 *    field/widget on page 1 (invisible unless a stamp is asked for), and append the revision.
 * 4. Patch /ByteRange in place, hash the two ranges of the output, build the CMS, write its hex
 *    into /Contents.
 */
export async function countersignPdf(
  input: Buffer,
  options: CountersignOptions,
): Promise<CountersignResult> {
  const doc = open(input);
  const signingTime = options.signingTime ?? new Date();
  const contentsSize = estimateCmsSize(options.certificateChain, options.timestamp !== undefined);
  const [leaf] = options.certificateChain;
  if (leaf === undefined) throw new SignerError('certificate chain is empty');
  const summary = certificateSummary(leaf);

  const utcOffsetMinutes = options.utcOffsetMinutes ?? 420;
  const stamp = options.stamp;
  const prepared = structural(() =>
    prepareUpdate(doc, {
      prefix: options.fieldNamePrefix ?? 'OrgSignature',
      contentsSize,
      ...(stamp
        ? {
            stamp: {
              rect: stamp.rect,
              lines: [
                stamp.organization ?? summary.organization ?? summary.commonName ?? '',
                isoDateTime(signingTime, utcOffsetMinutes),
              ],
            },
          }
        : {}),
      signatureDict: signatureDictionary({
        contentsSize,
        signingTime: formatPdfDate(signingTime, utcOffsetMinutes),
        name: summary.commonName ?? summary.organization ?? summary.subject,
        reason: options.reason,
        location: options.location,
      }),
    }),
  );
  const written = structural(() => prepared.update.writeRevision());
  const { revision } = written;
  const span = written.spans.get(prepared.sigRef.num);
  if (!span) throw new Error('the signature dictionary was not written');

  const base = doc.bytes;
  const { byteRange, contentsStart } = patchByteRange(revision, base.length, span, contentsSize);
  const digestAlgorithm = hashOf(options.signer.algorithm);
  const hash = createHash(digestAlgorithm);
  const pdf = assembleAndHash(base, revision, byteRange, hash);
  if (doc.recovered) structural(() => checkChainExtends(doc, pdf));
  const cms = await buildPadesCms({
    contentDigest: hash.digest(),
    digestAlgorithm,
    signer: options.signer,
    certificateChain: options.certificateChain,
    ...(options.timestamp ? { timestamp: options.timestamp } : {}),
  });
  if (cms.length > contentsSize) {
    throw new CountersignError(
      'signature-too-large',
      `the signature is ${cms.length} bytes, ${contentsSize} were reserved`,
    );
  }
  pdf.write(cms.toString('hex'), contentsStart + 1, 'latin1');
  return {
    pdf,
    fieldName: prepared.fieldName,
    byteRange,
    cms,
    signingTime,
    xrefKind: written.xrefKind,
  };
}

function open(input: Buffer): PdfDocument {
  let doc: PdfDocument;
  try {
    doc = openPdf(input);
  } catch (error) {
    if (error instanceof PdfFormatError) {
      throw new CountersignError('unparseable', `not a readable PDF: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
  if (doc.encrypted) {
    throw new CountersignError('encrypted', 'encrypted documents cannot be countersigned');
  }
  // A file whose /Prev chain had to be rebuilt by scanning (DSS wrote `/Prev 0` into some) is
  // still updated: the new section points at the last one, so readers repair it as before.
  return doc;
}

/**
 * The new section points at the last one. When the reader found the sections by scanning (a broken
 * startxref or /Prev), the chain from there may loop or miss sections the document needs: refuse
 * rather than hand out a file whose objects no reader finds.
 */
function checkChainExtends(doc: PdfDocument, updated: Buffer): void {
  const numbers = (d: PdfDocument) =>
    new Set(
      d.revisions.flatMap((r) =>
        [...r.entries].filter(([, e]) => e.type !== 'free').map(([n]) => n),
      ),
    );
  const after = numbers(openPdf(updated));
  for (const num of numbers(doc)) {
    if (!after.has(num)) {
      throw new PdfFormatError(
        `an update would hide object ${num}: the cross-reference chain is broken`,
      );
    }
  }
}

/** Runs a step that reads the document's structure, turning format errors into refusals. */
function structural<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof PdfFormatError || error instanceof PdfWriteError) {
      throw new CountersignError('unparseable', error.message, { cause: error });
    }
    throw error;
  }
}

interface PreparedUpdate {
  readonly update: IncrementalUpdate;
  readonly sigRef: PdfRef;
  readonly fieldName: string;
}

/** The document's objects as this update will leave them: pending replacements first. */
class Workspace {
  readonly doc: PdfDocument;
  readonly update: IncrementalUpdate;
  readonly #pending = new Map<number, PdfObject>();

  constructor(doc: PdfDocument) {
    this.doc = doc;
    this.update = new IncrementalUpdate(doc);
  }

  read(o: PdfObject | undefined): PdfObject | undefined {
    if (isRef(o) && this.#pending.has(o.num)) return this.#pending.get(o.num);
    return this.doc.resolve(o);
  }

  write(target: PdfRef, value: PdfObject): void {
    this.#pending.set(target.num, value);
    this.update.set(target, value);
  }
}

function prepareUpdate(
  doc: PdfDocument,
  input: {
    prefix: string;
    contentsSize: number;
    signatureDict: PdfDict;
    stamp?: { rect: readonly [number, number, number, number]; lines: readonly string[] };
  },
): PreparedUpdate {
  const ws = new Workspace(doc);
  const rootRef = lastTrailerValue(doc, 'Root');
  if (!isRef(rootRef)) throw new PdfFormatError('the trailer /Root is not a reference');
  const catalog = ws.read(rootRef);
  if (!isDict(catalog)) throw new PdfFormatError('the document has no catalog');

  const acroFormValue = catalog.entries.get('AcroForm');
  const acroForm = ws.read(acroFormValue);
  const fieldsValue = isDict(acroForm) ? acroForm.entries.get('Fields') : undefined;
  const fields = ws.read(fieldsValue);
  const topFields = isArray(fields) ? fields.items : [];

  const permission = docMdpPermission(ws, catalog, topFields);
  if (permission === 1) {
    throw new CountersignError(
      'changes-not-permitted',
      'a certification signature (DocMDP P=1) forbids any change to the document',
    );
  }

  const page = firstPage(ws, catalog.entries.get('Pages'));
  const sigRef = ws.update.allocate();
  const fieldRef = ws.update.allocate();
  const fieldName = uniqueFieldName(ws, topFields, input.prefix);
  ws.write(sigRef, input.signatureDict);
  const widget = dict({
    Type: name('Annot'),
    Subtype: name('Widget'),
    FT: name('Sig'),
    T: textString(fieldName),
    V: sigRef,
    F: WIDGET_FLAGS,
    Rect: arr(input.stamp ? [...input.stamp.rect] : [0, 0, 0, 0]),
  });
  if (page.ref) widget.entries.set('P', page.ref);
  if (input.stamp) {
    const appearance = ws.update.allocate();
    ws.update.set(appearance, stampAppearance(input.stamp.rect, input.stamp.lines));
    widget.entries.set('AP', dict({ N: appearance }));
  }
  ws.write(fieldRef, widget);

  attachWidget(ws, page, fieldRef);

  // The field joins /Fields; an indirect /Fields array is rewritten on its own.
  let newFields: PdfObject = arr([...topFields, fieldRef]);
  if (isRef(fieldsValue) && isArray(fields)) {
    ws.write(fieldsValue, newFields);
    newFields = fieldsValue;
  }
  const form: PdfDict = isDict(acroForm) ? copy(acroForm) : dict();
  form.entries.set('Fields', newFields);
  const flags = ws.read(form.entries.get('SigFlags'));
  form.entries.set('SigFlags', (typeof flags === 'number' ? flags : 0) | SIG_FLAGS);
  if (isRef(acroFormValue) && isDict(acroForm)) {
    ws.write(acroFormValue, form);
  } else {
    const current = ws.read(rootRef);
    const newCatalog = copy(isDict(current) ? current : catalog);
    newCatalog.entries.set('AcroForm', form);
    ws.write(rootRef, newCatalog);
  }
  return { update: ws.update, sigRef, fieldName };
}

function lastTrailerValue(doc: PdfDocument, key: string): PdfObject | undefined {
  for (let r = doc.revisions.length - 1; r >= 0; r--) {
    const value = doc.revisions[r]?.trailer.entries.get(key);
    if (value !== undefined) return value;
  }
  return undefined;
}

const copy = (d: PdfDict): PdfDict => ({ kind: 'dict', entries: new Map(d.entries) });

/**
 * The most restrictive document permission any signature grants (1 = no change, 2 = form filling
 * and signing, 3 = also annotations), undefined when nothing restricts. Read where §12.8.2.2 and
 * PDF 2.0 §12.7.5.5 put it: the certification signature of /Perms /DocMDP, the DocMDP or FieldMDP
 * transform parameters of the top-level signatures, and the /Lock dictionary of signed fields.
 */
function docMdpPermission(
  ws: Workspace,
  catalog: PdfDict,
  topFields: readonly PdfObject[],
): 1 | 2 | 3 | undefined {
  let result: 1 | 2 | 3 | undefined;
  const restrict = (p: PdfObject | undefined, fallback?: 2) => {
    const level = p === 1 || p === 2 || p === 3 ? p : fallback;
    if (level !== undefined && (result === undefined || level < result)) result = level;
  };
  const perms = ws.read(catalog.entries.get('Perms'));
  const certified = isDict(perms) ? perms.entries.get('DocMDP') : undefined;
  const signatures: PdfObject[] = certified === undefined ? [] : [certified];
  if (certified !== undefined) restrict(undefined, 2);
  for (const field of topFields) {
    const f = ws.read(field);
    const v = isDict(f) ? f.entries.get('V') : undefined;
    if (!isDict(f) || v === undefined || !isName(ws.read(f.entries.get('FT')), 'Sig')) continue;
    signatures.push(v);
    const lock = ws.read(f.entries.get('Lock'));
    if (isDict(lock)) restrict(ws.read(lock.entries.get('P')));
  }
  for (const s of signatures) {
    const sig = ws.read(s);
    const reference = isDict(sig) ? ws.read(sig.entries.get('Reference')) : undefined;
    for (const item of isArray(reference) ? reference.items : []) {
      const r = ws.read(item);
      const method = isDict(r) ? ws.read(r.entries.get('TransformMethod')) : undefined;
      if (!isDict(r) || !(isName(method, 'DocMDP') || isName(method, 'FieldMDP'))) continue;
      const params = ws.read(r.entries.get('TransformParams'));
      const p = isDict(params) ? ws.read(params.entries.get('P')) : undefined;
      restrict(p, isName(method, 'DocMDP') ? 2 : undefined);
    }
  }
  return result;
}

function uniqueFieldName(ws: Workspace, topFields: readonly PdfObject[], prefix: string): string {
  const taken = new Set<string>();
  for (const field of topFields) {
    const f = ws.read(field);
    const t = isDict(f) ? ws.read(f.entries.get('T')) : undefined;
    if (isString(t)) taken.add(decodeTextString(t));
  }
  let n = 1;
  while (taken.has(`${prefix}${n}`)) n++;
  return `${prefix}${n}`;
}

/**
 * Where the first page lives: the indirect object holding it (the page itself, or a page-tree
 * node or /Kids array when the page is a direct object) and the path from there to the page.
 */
interface PageLocation {
  readonly holderRef: PdfRef;
  readonly holder: PdfDict | PdfArray;
  readonly path: readonly (string | number)[];
  readonly page: PdfDict;
  /** The page's own reference, when it is an indirect object (it should be, §7.7.3.3). */
  readonly ref?: PdfRef;
}

/** The first leaf of the page tree, depth first, without visiting the other pages. */
function firstPage(ws: Workspace, pagesValue: PdfObject | undefined): PageLocation {
  const visited = new Set<string>();
  let budget = MAX_PAGE_TREE_NODES;
  const visit = (
    value: PdfObject | undefined,
    holder: Omit<PageLocation, 'page'> | undefined,
  ): PageLocation | undefined => {
    if (--budget < 0) throw new PdfFormatError('page tree too large or too deep');
    let at = holder;
    if (isRef(value)) {
      if (visited.has(refKey(value))) return undefined;
      visited.add(refKey(value));
      const node = ws.read(value);
      if (!isDict(node)) return undefined;
      at = { holderRef: value, holder: node, path: [], ref: value };
    }
    if (at === undefined) return undefined;
    const node = ws.read(value);
    if (!isDict(node)) return undefined;
    const kidsValue = node.entries.get('Kids');
    if (isName(node.entries.get('Type'), 'Page') || kidsValue === undefined) {
      return { ...at, page: node };
    }
    const kids = ws.read(kidsValue);
    if (!isArray(kids)) return undefined;
    const kidsAt: Omit<PageLocation, 'page'> = isRef(kidsValue)
      ? { holderRef: kidsValue, holder: kids, path: [] }
      : { holderRef: at.holderRef, holder: at.holder, path: [...at.path, 'Kids'] };
    for (let i = 0; i < kids.items.length; i++) {
      const kid = kids.items[i];
      const found = visit(kid, {
        holderRef: kidsAt.holderRef,
        holder: kidsAt.holder,
        path: [...kidsAt.path, i],
      });
      if (found) return found;
    }
    return undefined;
  };
  const found = visit(pagesValue, undefined);
  if (!found) throw new CountersignError('no-page', 'the document has no page');
  return found;
}

/** A copy of `root` with the dictionary at `path` replaced by `change(it)`. */
function replaceAt(
  root: PdfDict | PdfArray,
  path: readonly (string | number)[],
  change: (d: PdfDict) => PdfDict,
): PdfDict | PdfArray {
  const [step, ...rest] = path;
  if (step === undefined) {
    if (!isDict(root)) throw new PdfFormatError('page expected, found an array');
    return change(root);
  }
  const child =
    typeof step === 'number' ? (isArray(root) ? root.items[step] : undefined) : undefined;
  const childOfDict = typeof step === 'string' && isDict(root) ? root.entries.get(step) : undefined;
  const next = child ?? childOfDict;
  if (!isDict(next) && !isArray(next)) throw new PdfFormatError('page tree path is broken');
  const replaced = replaceAt(next, rest, change);
  if (typeof step === 'number' && isArray(root)) {
    return arr(root.items.map((item, i) => (i === step ? replaced : item)));
  }
  const out = copy(root as PdfDict);
  out.entries.set(String(step), replaced);
  return out;
}

/** Appends the widget to the page's /Annots: to the array object when /Annots is indirect. */
function attachWidget(ws: Workspace, page: PageLocation, widgetRef: PdfRef): void {
  const annotsValue = page.page.entries.get('Annots');
  const annots = ws.read(annotsValue);
  if (isRef(annotsValue) && isArray(annots)) {
    ws.write(annotsValue, arr([...annots.items, widgetRef]));
    return;
  }
  const items = isArray(annots) ? annots.items : [];
  const holder = replaceAt(page.holder, page.path, (p) => {
    const out = copy(p);
    out.entries.set('Annots', arr([...items, widgetRef]));
    return out;
  });
  ws.write(page.holderRef, holder);
}

function signatureDictionary(input: {
  contentsSize: number;
  signingTime: string;
  name: string;
  reason: string | undefined;
  location: string | undefined;
}): PdfDict {
  // /ByteRange and /Contents come first, so the first match in the object is the placeholder.
  const d = dict({
    Type: name('Sig'),
    Filter: name('Adobe.PPKLite'),
    SubFilter: name('ETSI.CAdES.detached'),
    ByteRange: arr([0, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER]),
    Contents: str(Buffer.alloc(input.contentsSize), true),
    M: str(input.signingTime),
    Name: textString(input.name),
  });
  if (input.reason !== undefined) d.entries.set('Reason', textString(input.reason));
  if (input.location !== undefined) d.entries.set('Location', textString(input.location));
  return d;
}

/**
 * Finds the placeholders inside the written signature dictionary, computes the real ByteRange
 * (everything but the /Contents hex string) and writes it over the placeholder, space-padded.
 * `revision` is what follows the `baseLength` original bytes; `span` and the results are offsets
 * in the whole file.
 */
function patchByteRange(
  revision: Buffer,
  baseLength: number,
  span: { start: number; end: number },
  contentsSize: number,
): { byteRange: [number, number, number, number]; contentsStart: number } {
  const object = revision.subarray(span.start - baseLength, span.end - baseLength);
  const brKey = object.indexOf('/ByteRange [');
  const contentsKey = object.indexOf('/Contents <');
  if (brKey < 0 || contentsKey < 0) throw new Error('signature placeholders not found');
  const brOpen = span.start + brKey + '/ByteRange '.length;
  const brClose = baseLength + revision.indexOf(']', brOpen - baseLength);
  const contentsStart = span.start + contentsKey + '/Contents '.length;
  const contentsEnd = contentsStart + 2 + 2 * contentsSize;
  if (revision[contentsEnd - 1 - baseLength] !== 0x3e) {
    throw new Error('signature /Contents placeholder misread');
  }
  const byteRange: [number, number, number, number] = [
    0,
    contentsStart,
    contentsEnd,
    baseLength + revision.length - contentsEnd,
  ];
  const width = brClose - brOpen - 1;
  const text = byteRange.join(' ');
  if (text.length > width) throw new Error('ByteRange does not fit its placeholder');
  revision.write(text.padEnd(width, ' '), brOpen + 1 - baseLength, 'latin1');
  return { byteRange, contentsStart };
}

/** Bytes copied and hashed together, so the hash reads what the copy left in the CPU cache. */
const ASSEMBLY_CHUNK = 256 * 1024;

/**
 * The output file, original bytes then revision, in one allocation, with the ByteRange hashed on
 * the way: the first range holds all of the original bytes, so they are hashed chunk by chunk as
 * they are copied instead of in a second pass over the whole file.
 */
function assembleAndHash(
  base: Buffer,
  revision: Buffer,
  byteRange: readonly [number, number, number, number],
  hash: Hash,
): Buffer {
  const [, firstLength, secondStart, secondLength] = byteRange;
  if (firstLength < base.length) throw new Error('the ByteRange does not cover the original bytes');
  const pdf = Buffer.allocUnsafe(base.length + revision.length);
  for (let at = 0; at < base.length; at += ASSEMBLY_CHUNK) {
    const end = Math.min(at + ASSEMBLY_CHUNK, base.length);
    base.copy(pdf, at, at, end);
    hash.update(pdf.subarray(at, end));
  }
  revision.copy(pdf, base.length);
  hash.update(pdf.subarray(base.length, firstLength));
  hash.update(pdf.subarray(secondStart, secondStart + secondLength));
  return pdf;
}

/**
 * The stamp's appearance: a red frame and lines of Helvetica text scaled to fit. Helvetica with
 * WinAnsiEncoding covers the Latin-1 letters of Vietnamese only; the others lose their marks
 * (ư → u, ạ → a, đ → d) until a Unicode font is embedded.
 */
function stampAppearance(
  rect: readonly [number, number, number, number],
  lines: readonly string[],
): StreamToWrite {
  const [x1, y1, x2, y2] = rect;
  const width = Math.abs(x2 - x1);
  const height = Math.abs(y2 - y1);
  if (!(width > 0 && height > 0)) throw new PdfWriteError('the stamp rectangle is empty');
  const longest = Math.max(1, ...lines.map((l) => l.length));
  const size = Math.max(
    1,
    Math.min(10, (height - 6) / (1.25 * lines.length), (width - 8) / (0.55 * longest)),
  );
  const n = serializeNumber;
  let content = `q 0.8 0 0 RG 1 w 0.5 0.5 ${n(width - 1)} ${n(height - 1)} re S Q\n`;
  content += `BT 0.8 0 0 rg /F1 ${n(size)} Tf ${n(1.25 * size)} TL 4 ${n(height - 3 - size)} Td\n`;
  for (const line of lines) content += `${serializeString(str(winAnsi(line)))} Tj T*\n`;
  content += 'ET\n';
  const helvetica = dict({
    Type: name('Font'),
    Subtype: name('Type1'),
    BaseFont: name('Helvetica'),
    Encoding: name('WinAnsiEncoding'),
  });
  return {
    kind: 'stream-data',
    dict: dict({
      Type: name('XObject'),
      Subtype: name('Form'),
      BBox: arr([0, 0, width, height]),
      Resources: dict({ Font: dict({ F1: helvetica }) }),
    }),
    data: Buffer.from(content, 'latin1'),
  };
}

/** Text as WinAnsi bytes: Latin-1 letters kept, other letters stripped of their marks. */
function winAnsi(text: string): Buffer {
  let out = '';
  for (const ch of text.normalize('NFC')) {
    const code = ch.codePointAt(0) ?? 0x3f;
    if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff)) out += ch;
    else if (ch === 'đ' || ch === 'Đ') out += ch === 'đ' ? 'd' : 'D';
    else {
      const base = ch
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .normalize('NFC');
      const fallback = [...base].find((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) <= 0xff);
      out += fallback ?? '?';
    }
  }
  return Buffer.from(out, 'latin1');
}

/** ISO 8601 local time with its offset, e.g. 2019-04-16T09:30:00+07:00. */
export function isoDateTime(date: Date, utcOffsetMinutes: number): string {
  const pdf = formatPdfDate(date, utcOffsetMinutes);
  const d = pdf.slice(2);
  return `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(8, 10)}:${d.slice(10, 12)}:${d.slice(12, 14)}${d.slice(14, 17)}:${d.slice(18, 20)}`;
}
