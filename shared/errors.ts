/**
 * Base of every error the domain raises on purpose. Handlers map these to HTTP status codes or
 * terminal document states by `instanceof`, never by message text.
 */
export class DomainError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
