const secrets = new Set<string>();

/** Values that must never reach a log line, whatever field or message carries them (tokens, passwords). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

/** Whether `text` holds a registered secret: such text is never written to a file. */
export function containsSecret(text: string): boolean {
  for (const secret of secrets) if (text.includes(secret)) return true;
  return false;
}

// Whatever a server echoes back: an Authorization header's value, OAuth 1.0a parameters, bearer tokens. Each stops at a
// quote or backslash so that JSON log lines stay JSON.
const credentialPatterns: Array<[RegExp, string]> = [
  [/\b(oauth_[a-z_]+\s*=\s*\\?"?)[^"\\&,\s]*/gi, '$1[redacted]'],
  [/\b(authorization\\?"?\s*[:=]\s*\\?"?(?:(?:Bearer|Basic|Token)\s+)?)(?!OAuth\b)[^"\\\s,]+/gi, '$1[redacted]'],
  [/\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1[redacted]'],
];

/** Registered secrets and any credential material a server may echo, replaced by "[redacted]": the one scrub for logs and stored errors. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  for (const [pattern, replacement] of credentialPatterns) out = out.replace(pattern, replacement);
  return out;
}
