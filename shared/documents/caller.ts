/** The authenticated caller: its agency code and role come from the token, never the request. */
export interface Caller {
  readonly agency: string;
  readonly role: 'agency' | 'admin';
  /** The person behind the token (`sub`), recorded on decisions. */
  readonly user?: string;
}
