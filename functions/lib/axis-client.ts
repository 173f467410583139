import { AxisHttpClient } from '#adapters/axis-http-client.ts';
import { FileSecretSource, ParametersExtensionSecretSource } from '#adapters/secret-sources.ts';
import type { AxisClient, SecretSource } from '#shared/axis/ports.ts';
import { intEnv, optionalEnv, requiredEnv } from './env.ts';

/**
 * The axis secret: a local file when `AXIS_SECRET_FILE` is set (the local stack), otherwise the
 * Secrets Manager secret `AXIS_SECRET_ID` through the Parameters and Secrets extension layer.
 */
function axisSecretSource(): SecretSource {
  const file = optionalEnv('AXIS_SECRET_FILE');
  if (file !== undefined) return new FileSecretSource(file);
  return new ParametersExtensionSecretSource({
    secretId: requiredEnv('AXIS_SECRET_ID'),
    sessionToken: requiredEnv('AWS_SESSION_TOKEN'),
    port: intEnv('PARAMETERS_SECRETS_EXTENSION_HTTP_PORT', 2773),
  });
}

/** The axis client both axis functions use, configured from their environment at cold start. */
export function makeAxisClient(): AxisClient {
  return new AxisHttpClient(
    {
      endpoint: requiredEnv('AXIS_ENDPOINT'),
      systemId: requiredEnv('AXIS_SYSTEM_ID'),
      organId: requiredEnv('AXIS_ORGAN_ID'),
      timeoutMs: intEnv('AXIS_TIMEOUT_MS', 10_000),
      transferTimeoutMs: intEnv('AXIS_TRANSFER_TIMEOUT_MS', 60_000),
    },
    axisSecretSource(),
  );
}
