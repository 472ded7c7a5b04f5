// While offline the app tries the server again by itself, backing off so a long outage costs
// next to nothing: 30 s after the first failed sync, then 1, 2, 4 minutes, then every 5.

export const FIRST_RETRY_SECONDS = 30;
export const MAX_RETRY_SECONDS = 300;

/** Seconds to wait before the next automatic sync after `failures` offline syncs in a row. */
export function retryDelaySeconds(failures: number): number {
  const n = Math.max(1, Math.floor(failures));
  return Math.min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** (n - 1));
}
