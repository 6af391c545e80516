/**
 * zod's own messages in the words a POS developer reads: "required", "at most 12 characters",
 * "one of: CASH, CARD", not "Invalid input: expected string, received undefined". Installed as
 * zod's `customError` (`z.config`), so a schema's own message still wins; what this leaves
 * unanswered falls back to zod's English. Type-only import: no runtime dependency.
 */
import type { z } from "zod";

type Issue = z.core.$ZodRawIssue;

const KINDS: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "an object",
  array: "a list",
  null: "null",
  bigint: "a whole number",
  date: "a date",
};

const FORMATS: Record<string, string> = {
  email: "an email address",
  uuid: "an id (a UUID)",
  guid: "an id (a UUID)",
  url: "a URL",
  datetime: "a date and time in ISO 8601 with its offset, e.g. 2026-03-01T09:30:00Z",
  date: "a date as YYYY-MM-DD",
  time: "a time as HH:MM:SS",
  ipv4: "an IPv4 address",
  ipv6: "an IPv6 address",
};

const show = (v: unknown) => typeof v === "string" ? v : JSON.stringify(v);

/** Sizes of strings and lists in their own words: "3 characters", "1 item". */
function size(origin: unknown, n: number | bigint): string {
  if (origin === "string") return `${n} character${n === 1 ? "" : "s"}`;
  if (origin === "array" || origin === "set") return `${n} item${n === 1 ? "" : "s"}`;
  return String(n);
}

export function plainMessage(issue: Issue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "required";
      return `must be ${KINDS[issue.expected] ?? issue.expected}`;
    case "invalid_value":
      return issue.values.length === 1
        ? `must be ${show(issue.values[0])}`
        : `one of: ${issue.values.map(show).join(", ")}`;
    case "too_small": {
      const n = issue.minimum;
      if ((issue.origin === "string" || issue.origin === "array") && Number(n) === 1) {
        return "must not be empty";
      }
      return issue.inclusive === false ? `more than ${n}` : `at least ${size(issue.origin, n)}`;
    }
    case "too_big": {
      const n = issue.maximum;
      return issue.inclusive === false ? `less than ${n}` : `at most ${size(issue.origin, n)}`;
    }
    case "invalid_format":
      return FORMATS[issue.format]
        ? `must be ${FORMATS[issue.format]}`
        : issue.format === "regex"
        ? `does not match the pattern ${issue.pattern}`
        : undefined;
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor}`;
    case "unrecognized_keys":
      return "is not a field of this request";
    case "invalid_union":
      return "matches none of the accepted forms";
    default:
      return undefined;
  }
}
