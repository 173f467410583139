/** The stand-in lives with the local stack, which runs it too; tests import it from here. */
export * from '../../scripts/local/axis-stand-in.ts';
