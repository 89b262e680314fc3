/**
 * Who may do what. `public` needs no identity; each role includes the ones before it:
 * viewer reads sources and runs forecasts, editor also uploads, shares and submits jobs,
 * admin manages models and tokens.
 */
export const ROLES = ['public', 'viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
/** A role a caller can hold (public is what a route may ask for, not what a caller is). */
export type CallerRole = Exclude<Role, 'public'>;

export function roleAllows(held: Role, required: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(required);
}

export function isCallerRole(value: string): value is CallerRole {
  return value === 'viewer' || value === 'editor' || value === 'admin';
}
