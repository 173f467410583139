import { DomainError } from '#shared/errors.ts';

/**
 * Raised for any input the PDF reader cannot make sense of: malformed syntax, broken
 * cross-reference data, limits exceeded. Hostile files end here rather than in a RangeError, a
 * hang or a stack overflow, so callers can map one type to a format failure.
 */
export class PdfFormatError extends DomainError {
  /** File offset (or offset in a decoded stream) near which the problem was found, if known. */
  readonly offset: number | undefined;

  constructor(message: string, options?: { cause?: unknown; offset?: number }) {
    super(
      options?.offset === undefined ? message : `${message} (at offset ${options.offset})`,
      options,
    );
    this.name = 'PdfFormatError';
    this.offset = options?.offset;
  }
}
