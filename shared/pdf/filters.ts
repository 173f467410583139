import { constants, inflateSync } from 'node:zlib';
import { PdfFormatError } from './errors.ts';
import { isArray, isDict, isName, type PdfDict, type PdfObject } from './objects.ts';

/** One decoding step: a filter name and its (already resolved) /DecodeParms. */
export interface FilterStep {
  readonly name: string;
  readonly params: PdfDict | undefined;
}

const intParam = (params: PdfDict | undefined, key: string, fallback: number): number => {
  const v = params?.entries.get(key);
  return typeof v === 'number' && Number.isInteger(v) ? v : fallback;
};

/**
 * The filter chain of a stream dictionary, with /Filter and /DecodeParms given as direct values
 * (the caller resolves references first).
 */
export function filterSteps(
  filter: PdfObject | undefined,
  parms: PdfObject | undefined,
): FilterStep[] {
  if (filter === undefined || filter === null) return [];
  const names = isArray(filter) ? filter.items : [filter];
  const params = isArray(parms) ? parms.items : [parms];
  return names.map((n, i) => {
    if (!isName(n)) throw new PdfFormatError('stream /Filter is not a name');
    const p = params[i];
    return { name: n.value, params: isDict(p) ? p : undefined };
  });
}

/**
 * Decodes stream data through a filter chain. Every step's output is capped at `maxBytes`, so a
 * zip bomb ends in a PdfFormatError instead of exhausting memory.
 */
export function decodeFilters(
  data: Buffer,
  steps: readonly FilterStep[],
  maxBytes: number,
): Buffer {
  let out = data;
  for (const step of steps) {
    switch (step.name) {
      case 'FlateDecode':
      case 'Fl':
        out = applyPredictor(inflate(out, maxBytes), step.params, maxBytes);
        break;
      case 'ASCIIHexDecode':
      case 'AHx':
        out = asciiHex(out);
        break;
      case 'ASCII85Decode':
      case 'A85':
        out = ascii85(out, maxBytes);
        break;
      default:
        throw new PdfFormatError(`unsupported stream filter /${step.name.slice(0, 32)}`);
    }
    if (out.length > maxBytes) throw new PdfFormatError('decoded stream exceeds the size limit');
  }
  return out;
}

function inflate(data: Buffer, maxBytes: number): Buffer {
  try {
    // SYNC_FLUSH tolerates a missing end of stream, as every PDF reader does.
    return inflateSync(data, { maxOutputLength: maxBytes, finishFlush: constants.Z_SYNC_FLUSH });
  } catch (error) {
    if (error instanceof RangeError) {
      throw new PdfFormatError('decoded stream exceeds the size limit', { cause: error });
    }
    throw new PdfFormatError('invalid FlateDecode data', { cause: error });
  }
}

function applyPredictor(data: Buffer, params: PdfDict | undefined, maxBytes: number): Buffer {
  const predictor = intParam(params, 'Predictor', 1);
  if (predictor <= 1) return data;
  const colors = intParam(params, 'Colors', 1);
  const bpc = intParam(params, 'BitsPerComponent', 8);
  const columns = intParam(params, 'Columns', 1);
  if (
    colors < 1 ||
    colors > 32 ||
    ![1, 2, 4, 8, 16].includes(bpc) ||
    columns < 1 ||
    columns > maxBytes
  ) {
    throw new PdfFormatError('invalid predictor parameters');
  }
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLength = Math.ceil((colors * bpc * columns) / 8);
  if (predictor === 2) return tiffPredictor(data, rowLength, bpp, bpc);
  if (predictor >= 10 && predictor <= 15) return pngPredictor(data, rowLength, bpp);
  throw new PdfFormatError(`unsupported predictor ${predictor}`);
}

function tiffPredictor(data: Buffer, rowLength: number, bpp: number, bpc: number): Buffer {
  if (bpc !== 8) throw new PdfFormatError('TIFF predictor supported for 8 bits per component only');
  const out = Buffer.from(data);
  for (let row = 0; row + rowLength <= out.length; row += rowLength) {
    for (let i = bpp; i < rowLength; i++) {
      out[row + i] = ((out[row + i] ?? 0) + (out[row + i - bpp] ?? 0)) & 0xff;
    }
  }
  return out;
}

function pngPredictor(data: Buffer, rowLength: number, bpp: number): Buffer {
  const rows = Math.floor(data.length / (rowLength + 1));
  const out = Buffer.alloc(rows * rowLength);
  for (let r = 0; r < rows; r++) {
    const src = r * (rowLength + 1);
    const type = data[src] ?? 0;
    const dst = r * rowLength;
    for (let i = 0; i < rowLength; i++) {
      const raw = data[src + 1 + i] ?? 0;
      const left = i >= bpp ? (out[dst + i - bpp] ?? 0) : 0;
      const up = r > 0 ? (out[dst - rowLength + i] ?? 0) : 0;
      const upLeft = r > 0 && i >= bpp ? (out[dst - rowLength + i - bpp] ?? 0) : 0;
      let v: number;
      switch (type) {
        case 0:
          v = raw;
          break;
        case 1:
          v = raw + left;
          break;
        case 2:
          v = raw + up;
          break;
        case 3:
          v = raw + ((left + up) >> 1);
          break;
        case 4: {
          const pa = Math.abs(up - upLeft);
          const pb = Math.abs(left - upLeft);
          const pc = Math.abs(left + up - 2 * upLeft);
          v = raw + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
          break;
        }
        default:
          throw new PdfFormatError(`invalid PNG predictor row type ${type}`);
      }
      out[dst + i] = v & 0xff;
    }
  }
  return out;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function asciiHex(data: Buffer): Buffer {
  const out = Buffer.alloc(Math.ceil(data.length / 2));
  let n = 0;
  let high = -1;
  for (const c of data) {
    if (c === 0x3e) break;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00) continue;
    const v = hexDigit(c);
    if (v < 0) throw new PdfFormatError('invalid ASCIIHexDecode data');
    if (high < 0) high = v;
    else {
      out[n++] = high * 16 + v;
      high = -1;
    }
  }
  if (high >= 0) out[n++] = high * 16;
  return out.subarray(0, n);
}

function ascii85(data: Buffer, maxBytes: number): Buffer {
  // 'z' expands 1 byte to 4, the only growth beyond 4/5.
  const out = Buffer.alloc(Math.min(maxBytes + 4, data.length * 4 + 4));
  let n = 0;
  const group: number[] = [];
  const flush = (count: number) => {
    let v = 0;
    for (let i = 0; i < 5; i++) v = v * 85 + (group[i] ?? 84);
    if (v > 0xffffffff) throw new PdfFormatError('invalid ASCII85Decode data');
    const bytes = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    for (let i = 0; i < count - 1; i++) {
      if (n >= out.length) throw new PdfFormatError('decoded stream exceeds the size limit');
      out[n++] = bytes[i] ?? 0;
    }
    group.length = 0;
  };
  let i = 0;
  if (data[0] === 0x3c && data[1] === 0x7e) i = 2;
  for (; i < data.length; i++) {
    const c = data[i] ?? 0;
    if (c === 0x7e) break;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00) continue;
    if (c === 0x7a && group.length === 0) {
      if (n + 4 > out.length) throw new PdfFormatError('decoded stream exceeds the size limit');
      out.fill(0, n, n + 4);
      n += 4;
      continue;
    }
    if (c < 0x21 || c > 0x75) throw new PdfFormatError('invalid ASCII85Decode data');
    group.push(c - 0x21);
    if (group.length === 5) flush(5);
  }
  if (group.length === 1) throw new PdfFormatError('invalid ASCII85Decode data');
  if (group.length > 1) flush(group.length);
  return out.subarray(0, n);
}
