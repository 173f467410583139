/** The runner of the local stack extracts the definition the same way; tests share its code. */
export {
  placeholderAccount,
  placeholderRegion,
  stateMachineDefinition,
} from '../../scripts/local/state-machine-definition.ts';
