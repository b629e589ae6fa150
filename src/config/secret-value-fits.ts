// What the schema asks of a secret beyond being set. The schema uses these rules, and the configuration cache checks a
// secret with them when it takes the secret's value from the environment without validating the whole file again.

export const webTokenMinLength = 16;

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Whether `value` is acceptable for the secret at `keyPath` (see isSecretKey). */
export function secretValueFits(keyPath: readonly PropertyKey[], value: string): boolean {
  const key = keyPath[keyPath.length - 1];
  if (key === 'webhook' || key === 'ntfy') return isHttpUrl(value);
  if (keyPath.length === 2 && keyPath[0] === 'web' && key === 'token') return value.length >= webTokenMinLength;
  return value.length > 0;
}
