/**
 * Shared secrets that callers present (the console's access token, HTTP intake keys, the Firehose
 * access key) have at least this many characters: a short one can be guessed online. Generated
 * console tokens are 43 characters (32 random bytes, base64url).
 */
export const MIN_SECRET_LENGTH = 16;

/** Why `secret` cannot serve as `what` (too short), or undefined when it can. */
export function shortSecretProblem(what: string, secret: string): string | undefined {
  return secret.length < MIN_SECRET_LENGTH ? `${what} must be at least ${MIN_SECRET_LENGTH} characters long (it has ${secret.length})` : undefined;
}
