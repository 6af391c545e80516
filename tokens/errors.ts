import { ProblemError } from "../errors/problem.ts";

/** Every refused bearer token, staff or device: 401 with the RFC 6750 challenge. */
export const invalidToken = (detail: string) =>
  new ProblemError(401, "unauthorized", "A valid bearer token is required", { detail }, {
    "WWW-Authenticate": 'Bearer error="invalid_token"',
  });
