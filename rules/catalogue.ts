/**
 * What a rule editor offers: every fact with a human label, the kind of value its picker
 * edits and the operators that make sense for it; every event type with its label and the
 * JSON Schema of its params. Read from the fact catalogue and the rule schema themselves, so
 * it cannot drift from what validation accepts. Served by `GET /api/admin/v1/rules/catalogue`.
 *
 * Browser-safe (zod, facts and schema only): the editor island may import it as well.
 */
import * as z from "zod";
import { FACT_NAMES, type FactName, FACTS } from "./facts.ts";
import { MAX_PATH_LENGTH } from "./path.ts";
import {
  DEFAULT_REFERENCE,
  EventSchema,
  type EventType,
  MAX_GROUP_DEPTH,
  MAX_RULES,
  type Operator,
  OPERATORS,
} from "./schema.ts";

/**
 * The kind of value a fact yields, for the editor's value picker: `code` a free code (a
 * category, a series prefix), `integer` a plain number, `money` integer minor units of the
 * basket's currency, `weekday` 1 = Monday … 7 = Sunday, `time` HH:MM, `date` YYYY-MM-DD,
 * `channel` one of `CHANNELS`.
 */
export type ValueKind =
  | "code"
  | "boolean"
  | "integer"
  | "money"
  | "weekday"
  | "time"
  | "date"
  | "channel";

const FACT_TEXT: Record<FactName, { label: string; kind: ValueKind }> = {
  customerCategory: { label: "Customer category", kind: "code" },
  member: { label: "Is a member", kind: "boolean" },
  staff: { label: "Is staff", kind: "boolean" },
  cardSeries: { label: "Card series", kind: "code" },
  storeNumber: { label: "Store number", kind: "integer" },
  posNumber: { label: "POS number", kind: "integer" },
  channel: { label: "Sales channel", kind: "channel" },
  dayOfWeek: { label: "Day of week", kind: "weekday" },
  timeOfDay: { label: "Time of day", kind: "time" },
  date: { label: "Date", kind: "date" },
  basketTotal: { label: "Basket total", kind: "money" },
  eligibleSpend: { label: "Spend on lines", kind: "money" },
  eligibleQuantity: { label: "Quantity of lines", kind: "integer" },
  tenderAmount: { label: "Amount paid with", kind: "money" },
  visitCount: { label: "Visits so far", kind: "integer" },
};

export const OPERATOR_LABELS: Record<Operator, string> = {
  equal: "is",
  notEqual: "is not",
  lessThan: "is less than",
  lessThanInclusive: "is at most",
  greaterThan: "is more than",
  greaterThanInclusive: "is at least",
  in: "is one of",
  notIn: "is none of",
  contains: "contains",
  doesNotContain: "does not contain",
};

const LIST_OPERATORS: ReadonlySet<Operator> = new Set(["in", "notIn"]);
const ORDERING: readonly Operator[] = [
  "lessThan",
  "lessThanInclusive",
  "greaterThan",
  "greaterThanInclusive",
];

/**
 * The operators validation accepts for a fact: equality and lists for every fact, ordering
 * for ordered ones. `contains` needs an array-valued fact and the catalogue has none.
 */
export function operatorsFor(fact: FactName): Operator[] {
  const ops: Operator[] = ["equal", "notEqual", "in", "notIn"];
  return FACTS[fact].ordered ? [...ops, ...ORDERING] : ops;
}

const EVENT_TEXT: Record<EventType, { label: string; help: string }> = {
  "basic-points": {
    label: "Basic points",
    help: "Points per 1.00 of the net total, or of the lines a basis selects.",
  },
  "item-points": {
    label: "Item points",
    help: "Points per item, or per 1.00, on the selected lines that carry no discount.",
  },
  "basket-points": {
    label: "Basket points",
    help: "Fixed points, or points per 1.00 of the net total; optionally from a minimum total.",
  },
  "tender-points": {
    label: "Tender points",
    help: "Points per 1.00 paid with the given tender types.",
  },
  multiplier: {
    label: "Multiplier",
    help: "Multiplies the points of other rules (all earning rules, or those named), " +
      "optionally on the selected lines only.",
  },
  "staff-discount": {
    label: "Staff discount",
    help: "A percentage off each selected line, for staff at the staff default location; " +
      "no points.",
  },
};

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** JSON Schema of a zod schema, without the `$schema` key (it sits inside a document). */
function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { unrepresentable: "any" });
  return rest;
}

/** The whole catalogue as plain JSON data. */
export function ruleCatalogue() {
  const channel = FACTS.channel.value as z.ZodEnum;
  return {
    facts: FACT_NAMES.map((name) => ({
      name,
      label: FACT_TEXT[name].label,
      help: FACTS[name].help,
      kind: FACT_TEXT[name].kind,
      nullable: FACTS[name].value.safeParse(null).success,
      ordered: FACTS[name].ordered,
      operators: operatorsFor(name),
      params: FACTS[name].params ? jsonSchema(FACTS[name].params) : null,
      value: jsonSchema(FACTS[name].value),
    })),
    operators: OPERATORS.map((name) => ({
      name,
      label: OPERATOR_LABELS[name],
      list: LIST_OPERATORS.has(name),
    })),
    events: EventSchema.options.map((option) => {
      const type = option.shape.type.value;
      return {
        type,
        label: EVENT_TEXT[type].label,
        help: EVENT_TEXT[type].help,
        params: jsonSchema(option.shape.params),
      };
    }),
    weekdays: WEEKDAYS.map((label, i) => ({ value: i + 1, label })),
    channels: channel.options as string[],
    defaultReference: DEFAULT_REFERENCE,
    limits: {
      rules: MAX_RULES,
      groupDepth: MAX_GROUP_DEPTH,
      pathLength: MAX_PATH_LENGTH,
      priority: { min: 1, max: 100 },
    },
  };
}

export type RuleCatalogue = ReturnType<typeof ruleCatalogue>;
