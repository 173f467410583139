import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Agency, ApiClient, DocumentType } from './api.ts';
import type { Session } from './auth.ts';
import type { ConsoleConfig } from './config.ts';

/** What every screen of a signed-in console needs. */
export interface Workspace {
  readonly config: ConsoleConfig;
  readonly session: Session;
  readonly api: ApiClient;
  readonly agencies: readonly Agency[];
  readonly documentTypes: readonly DocumentType[];
  readonly navigate: (hash: string) => void;
}

export const WorkspaceContext = createContext<Workspace | undefined>(undefined);

export function useWorkspace(): Workspace {
  const workspace = useContext(WorkspaceContext);
  if (workspace === undefined) throw new Error('useWorkspace outside a signed-in console');
  return workspace;
}

/** The agency's name from the directory, or its code when the directory does not list it. */
export const agencyName = (
  agencies: readonly Pick<Agency, 'code' | 'name'>[],
  code: string,
): string => agencies.find((a) => a.code === code)?.name ?? code;
