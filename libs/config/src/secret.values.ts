/** Variables whose value is a credential as a whole: never shown, not even in part. */
const SECRET_NAME = /(PASSWORD|PEPPER|SECRET|TOKEN|_KEY)$/;

/**
 * A variable's value as a config error may show it. URLs (DATABASE_URL, REDIS_URL, ...) carry
 * passwords in their user-info, so they are shown with it masked, or not at all when they do not
 * parse (the password could be anywhere in a malformed one).
 */
export function displayValue(name: string, value: string): string {
  if (SECRET_NAME.test(name)) return '(value hidden)';
  if (!name.endsWith('_URL')) return `"${value}"`;
  const shown = maskUrlPassword(value);
  return shown === undefined ? '(value hidden: it may hold a password)' : `"${shown}"`;
}

/** The URL with its password replaced by ***, for messages; undefined when it does not parse. */
export function maskUrlPassword(value: string): string | undefined {
  try {
    const u = new URL(value);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return undefined;
  }
}
