import { deflateSync } from 'node:zlib';

/** An object to write: number and body (what goes between `n 0 obj` and `endobj`). */
export type ObjectSpec = readonly [num: number, body: string | Buffer];

export interface RevisionOptions {
  /** Extra trailer entries, e.g. `/Root 1 0 R`. */
  readonly trailer?: string;
  /** Cross-reference section kind. @default 'table' */
  readonly xref?: 'table' | 'stream';
  /** For xref streams: encode rows with the PNG Up predictor. */
  readonly pngUp?: boolean;
  /** For xref streams: the object number of the stream itself. */
  readonly xrefNum?: number;
  /** Entries to add to the xref stream (compressed objects): [num, objStm, index]. */
  readonly compressed?: readonly (readonly [number, number, number])[];
}

const EOL = '\n';

function lastStartXref(base: Buffer): number | undefined {
  const m = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(
    base.toString('latin1', Math.max(0, base.length - 64)),
  );
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/**
 * Appends one revision (objects, cross-reference section, trailer, startxref, %%EOF) to `base`, or
 * writes a new file when `base` is empty. /Prev is set from the base's last startxref.
 */
export function writeRevision(
  base: Buffer,
  objects: readonly ObjectSpec[],
  options: RevisionOptions = {},
): Buffer {
  const chunks: Buffer[] = [
    base.length === 0 ? Buffer.from(`%PDF-1.7${EOL}%\xe2\xe3\xcf\xd3${EOL}`, 'latin1') : base,
  ];
  let length = chunks[0]?.length ?? 0;
  const push = (b: string | Buffer) => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    chunks.push(buf);
    length += buf.length;
  };
  const offsets = new Map<number, number>();
  for (const [num, body] of objects) {
    offsets.set(num, length);
    push(`${num} 0 obj${EOL}`);
    push(body);
    push(`${EOL}endobj${EOL}`);
  }
  const prev = base.length === 0 ? undefined : lastStartXref(base);
  const prevEntry = prev === undefined ? '' : ` /Prev ${prev}`;
  const xrefOffset = length;
  if ((options.xref ?? 'table') === 'table') {
    const nums = [...offsets.keys()].sort((a, b) => a - b);
    let table = `xref${EOL}`;
    if (base.length === 0) table += `0 1${EOL}0000000000 65535 f ${EOL}`;
    for (const num of nums) {
      table += `${num} 1${EOL}${String(offsets.get(num)).padStart(10, '0')} 00000 n ${EOL}`;
    }
    const size = Math.max(0, ...nums) + 1;
    push(`${table}trailer${EOL}<< /Size ${size}${prevEntry} ${options.trailer ?? ''} >>${EOL}`);
  } else {
    const xrefNum = options.xrefNum ?? Math.max(0, ...offsets.keys()) + 1;
    offsets.set(xrefNum, xrefOffset);
    const rows: { num: number; row: Buffer }[] = [];
    const row = (t: number, f2: number, f3: number) => {
      const b = Buffer.alloc(7);
      b.writeUInt8(t, 0);
      b.writeUInt32BE(f2, 1);
      b.writeUInt16BE(f3, 5);
      return b;
    };
    if (base.length === 0) rows.push({ num: 0, row: row(0, 0, 65535) });
    for (const [num, off] of offsets) rows.push({ num, row: row(1, off, 0) });
    for (const [num, stm, idx] of options.compressed ?? [])
      rows.push({ num, row: row(2, stm, idx) });
    rows.sort((a, b) => a.num - b.num);
    const index = rows.flatMap((r) => [r.num, 1]).join(' ');
    let data: Buffer;
    let parms = '';
    if (options.pngUp) {
      const encoded: Buffer[] = [];
      let previous: Buffer = Buffer.alloc(7);
      for (const r of rows) {
        const up = Buffer.alloc(8);
        up[0] = 2;
        for (let i = 0; i < 7; i++) up[i + 1] = ((r.row[i] ?? 0) - (previous[i] ?? 0)) & 0xff;
        encoded.push(up);
        previous = r.row;
      }
      data = deflateSync(Buffer.concat(encoded));
      parms = ' /DecodeParms << /Predictor 12 /Columns 7 >>';
    } else {
      data = deflateSync(Buffer.concat(rows.map((r) => r.row)));
    }
    const size = Math.max(...rows.map((r) => r.num)) + 1;
    push(
      `${xrefNum} 0 obj${EOL}<< /Type /XRef /Size ${size} /W [1 4 2] /Index [${index}] /Filter /FlateDecode${parms} /Length ${data.length}${prevEntry} ${options.trailer ?? ''} >>${EOL}stream${EOL}`,
    );
    push(data);
    push(`${EOL}endstream${EOL}endobj${EOL}`);
  }
  push(`startxref${EOL}${xrefOffset}${EOL}%%EOF${EOL}`);
  return Buffer.concat(chunks);
}

/** A one-page document: 1 catalog, 2 pages, 3 page; `extra` objects appended. */
export function minimalPdf(extra: readonly ObjectSpec[] = [], catalogExtra = ''): Buffer {
  return writeRevision(
    Buffer.alloc(0),
    [
      [1, `<< /Type /Catalog /Pages 2 0 R ${catalogExtra} >>`],
      [2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
      [3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>'],
      ...extra,
    ],
    { trailer: '/Root 1 0 R' },
  );
}
