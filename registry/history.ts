import { ProblemError } from "../errors/problem.ts";

/** Deleting something with history would orphan it: disable it instead. */
export const hasHistory = (what: string, because: string) =>
  new ProblemError(409, "has-history", `This ${what} has history and cannot be deleted`, {
    detail: `${because}; disable it instead`,
  });
