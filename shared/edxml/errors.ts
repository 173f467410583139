import { DomainError } from '../errors.ts';

/**
 * An edXML package or status message that does not match QCVN 102 as this module reads it: not
 * well-formed, a missing or unknown element, a value in the wrong format. `path` names the
 * offending element (`edXMLEnvelope/edXMLHeader/MessageHeader/To[1]/OrganId`) so the sender can be
 * told what to fix. Parsing never returns a partly built record: it returns all of it or throws.
 */
export class EdxmlFormatError extends DomainError {
  readonly path: string;

  constructor(message: string, path: string, options?: { cause?: unknown }) {
    super(path === '' ? message : `${message} at ${path}`, options);
    this.path = path;
  }
}

/** The input uses XML features we refuse outright (DOCTYPE, entity declarations or references). */
export class EdxmlUnsafeXmlError extends EdxmlFormatError {}

/** The input is larger than the configured limits (size, attachment count, decoded bytes). */
export class EdxmlLimitError extends EdxmlFormatError {}

/** An attachment does not match its manifest entry (SHA-256 or size), or has no entry at all. */
export class EdxmlIntegrityError extends EdxmlFormatError {}
