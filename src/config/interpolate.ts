// ${VAR} in configuration values: shared by the parser and the configuration cache, which must substitute alike.

const secretKeys = new Set(['appKey', 'appSecret', 'accessToken', 'accessSecret', 'password', 'webhook', 'ntfy', 'token']);

/** Whether the value at this key is a secret: what a ${VAR} there holds is kept out of logs and of every file heraut writes. */
export function isSecretKey(keyPath: readonly PropertyKey[]): boolean {
  return secretKeys.has(String(keyPath[keyPath.length - 1]));
}

/** The names of the ${VAR}s in a string. */
export function variablesIn(text: string): string[] {
  return [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((match) => match[1]!);
}

/** Replaces each ${VAR} with lookup's value; a value that is only ${VAR} and finds none is dropped (undefined). */
export function interpolate(value: unknown, keyPath: PropertyKey[], lookup: (name: string, keyPath: PropertyKey[]) => string | undefined): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value);
    if (whole) return lookup(whole[1]!, keyPath);
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => lookup(name, keyPath) ?? '');
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, [...keyPath, index], lookup));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const next = interpolate(item, [...keyPath, key], lookup);
      if (next !== undefined) out[key] = next;
    }
    return out;
  }
  return value;
}
