// Kept so that callers outside feeds/ need not change in the same commit; new code imports net/backoff.
export { nextPollAfterFailure } from '../net/backoff.js';
