export { DELETE_SECRET_BYTES, TOKEN_BYTES, TOKEN_LENGTH, base64url, generateDeleteSecret, generateShareToken, hashDeleteSecret, isShareToken } from './token';
export { DEFAULT_SHARE_MAX_BYTES, MAX_SHARE_EXPIRY_DAYS, formatBytes, snapshotTooLarge } from './limits';
