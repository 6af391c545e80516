/** GET, HEAD and OPTIONS change nothing: no CSRF check, no write limit, no cache to drop. */
export const isSafeMethod = (method: string) =>
  method === "GET" || method === "HEAD" || method === "OPTIONS";
