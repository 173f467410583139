import type { RolloutView } from '../documents/api-schemas.ts';

/**
 * The rollout policy in force as administrators see it: the item the rollout state machine
 * applied last, or the official-use default routing falls back to when none was applied.
 */
export interface RolloutOverview {
  current(): Promise<RolloutView>;
}
