// Kept so that callers outside net/ need not change in the same commit; new code imports net/backoff.
export { backoffDelay } from '../net/backoff.js';
