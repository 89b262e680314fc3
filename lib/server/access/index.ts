export { ROLES, roleAllows, isCallerRole, type Role, type CallerRole } from './roles';
export { ACCESS_TABLE, findRule, requiredRole, isStateChanging, type AccessRule, type HttpMethod } from './route-table';
export { authorize, authMode, type AccessDecision, type Principal, type AuthMode } from './policy';
export { parseApiTokens, matchApiToken, newApiToken, tokenEntry, hashToken, type ApiTokenEntry } from './tokens';
export { issueSession, verifySession, sessionCookies, clearedSessionCookies, readCookie, SESSION_COOKIE, CSRF_COOKIE, CSRF_HEADER } from './session';
export { requestOrigin, trustsProxy, overTls } from './request-origin';
export { securityHeaders, contentSecurityPolicy, newNonce } from './security-headers';
export { PRINCIPAL_HEADER, principalFromHeaders, encodePrincipal } from './principal-header';
export { hashPassword, passwordEntry, parsePasswordEntries, verifyPassword, type PasswordEntry } from './passwords';
