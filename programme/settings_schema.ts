import { z } from "zod";
import { ROUNDING_MODES } from "../rules/points.ts";
import { money } from "../money/minor_units.ts";

/**
 * What each setting is called on the settings page and what it changes, in our words. The
 * same text describes the field in the OpenAPI document.
 */
export const SETTING_TEXT = {
  categoryNames: {
    label: "Category names",
    help: "What customer screens call the five categories. Category 1 is always the customer " +
      "type, which decides whether a customer is a member, staff or a plain customer; " +
      "categories 2 to 5 group customers however you like.",
  },
  exportCustomersRequiresLocation: {
    label: "Member export needs a location",
    help: "When on, a member export must name a store and exports only the customers of that " +
      "store; an export of every store at once is refused.",
  },
  generateAutomaticCustomerCard: {
    label: "Give every new customer a loyalty card",
    help: "Each customer created from now on gets a loyalty card whose number is their " +
      "customer number, so nobody has to type a card number for orders and lay-bys.",
  },
  defaultAccountType: {
    label: "Type of a new account",
    help: "The account type code (for example MEMCR, member credit) given to an account " +
      "opened at the POS without choosing a type.",
  },
  maxAccountsPerCustomer: {
    label: "Most accounts per customer",
    help: "Opening one more account than this for a customer is refused. 0 means no limit.",
  },
  nonLoyaltyCategoryCodes: {
    label: "Customer types that are not members",
    help: "Customer type codes (category 1), separated by commas, of plain customers: they " +
      "earn no points and their sales count as non-member sales in the statistics.",
  },
  multipleSalesInOneDayCountAsOneVisit: {
    label: "Several sales in one trading day are one visit",
    help: "When on, member statistics count at most one visit per member per trading day " +
      "(usual for bars); when off, every sale is a visit (usual in retail).",
  },
  staffLoyaltyCategoryCodes: {
    label: "Customer types that are staff",
    help: "Customer type codes, separated by commas, that make a customer staff, so rules " +
      "can give them staff discounts.",
  },
  staffLoyaltyDefaultLocation: {
    label: "Staff default store",
    help: "The store number staff discounts use for a staff customer who has no home store. " +
      "Leave empty for none.",
  },
  showKeyLineTotal: {
    label: "Show the key line total",
    help: "Shows the key line total on the account screen, on the points statement and in " +
      "the POS member lookup.",
  },
  keyLineTotalReferenceMatch: {
    label: "Key line total reference",
    help: "The ledger reference code (for example ONBO for points earned on board) whose " +
      "entries add up to the key line total.",
  },
  calcPointsOnDiscountedItems: {
    label: "Points on discounted sales",
    help: "When on, a sale with discounts still earns points: basket points on the sale " +
      "total, item points only on lines without any discount (item, sale, offer or tender), " +
      "tender points on the amount tendered.",
  },
  originalReceiptReturnReturnsOriginalPoints: {
    label: "A return with the original receipt takes back all its points",
    help: "When on, a return made against the original receipt reverses every point that " +
      "sale earned (bonus points too), not only the basic points of the returned lines.",
  },
  roundingRule: {
    label: "Rounding of points",
    help: "Applied to the points of each rule separately, before they are added up.",
  },
  pointValue: {
    label: "Value of one point",
    help: "What one point is worth when a member spends points at the POS, in minor units " +
      "of the programme's currency (cents, pence…): 1 means 100 points pay 1.00. A whole " +
      "number, 1 or more.",
  },
  pointsEarnedOnPartPaidWithPoints: {
    label: "Points earned on the part paid with points",
    help: "When off (as most programmes do), the part of a sale paid with points earns no " +
      "points: basic, item and basket points are earned on the sale less the value of the " +
      "points spent, shared over the lines in proportion to their value. When on, the whole " +
      "sale earns points, whatever paid for it.",
  },
  sendNewMemberEmail: {
    label: "Email new members",
    help: "Sends the welcome email to every new member who has an email address.",
  },
  "wholesale.location": {
    label: "Wholesale store",
    help: "A back-office customer order is recorded on the first till of its pickup or " +
      "delivery store; when that store has no till, it is recorded at this store number.",
  },
  "wholesale.tillCode": {
    label: "Wholesale till code",
    help: "The till code (for example TILL1) such an order is then recorded on.",
  },
  "wholesale.tillNumber": {
    label: "Wholesale till number",
    help: "The till number (for example 1245) such an order is then recorded on.",
  },
  "wholesale.operatorNumber": {
    label: "Wholesale operator number",
    help: "The operator number (for example 99) such an order is then recorded under.",
  },
  "wholesale.priceLevel": {
    label: "Wholesale price level",
    help: "Which of an item's five sell prices back-office customer orders are charged at.",
  },
} as const;

export const ROUNDING_LABELS: Record<typeof ROUNDING_MODES[number], string> = {
  none: "Do not round (keep two decimals)",
  up: "Always round up to a whole point",
  down: "Always round down to a whole point",
  nearest: "Round to the nearest whole point",
};

const help = (key: keyof typeof SETTING_TEXT) => SETTING_TEXT[key].help;

/** Codes are compared as entered at the POS: trimmed and upper-cased. */
const Code = z.string().trim().min(1, "must not be empty").max(20, "at most 20 characters")
  .transform((s) => s.toUpperCase());
/** Each code once; a repeat is reported at its own index so the caller sees which. */
const CodeList = z.array(Code).max(100, "at most 100 codes").superRefine((codes, ctx) => {
  codes.forEach((code, i) => {
    if (codes.indexOf(code) < i) {
      ctx.addIssue({ code: "custom", path: [i], message: "listed twice" });
    }
  });
});
/** An optional code: empty means none. */
const OptionalCode = z.string().trim().max(20, "at most 20 characters").nullable()
  .transform((s) => s ? s.toUpperCase() : null);
const WholeNumber = z.number({ error: "must be a number" }).int("must be a whole number");
const PositiveInt = WholeNumber.positive("must be 1 or more");
/**
 * Unknown keys are refused at their own path (`settings.foo`); `.strict()` would report them
 * on the parent object. `not: {}` documents them as forbidden, like additionalProperties false.
 */
const Unknown = z.unknown().refine(() => false, "not a setting").meta({ not: {} });

const Wholesale = z.object({
  location: PositiveInt.nullable().describe(help("wholesale.location")),
  tillCode: OptionalCode.describe(help("wholesale.tillCode")),
  tillNumber: PositiveInt.nullable().describe(help("wholesale.tillNumber")),
  operatorNumber: PositiveInt.nullable().describe(help("wholesale.operatorNumber")),
  priceLevel: WholeNumber.min(1, "1 to 5").max(5, "1 to 5").describe(help("wholesale.priceLevel")),
});

const Settings = z.object({
  categoryNames: z.array(z.string().trim().max(40, "at most 40 characters"))
    .length(5, "exactly five names").describe(help("categoryNames")),
  exportCustomersRequiresLocation: z.boolean().describe(help("exportCustomersRequiresLocation")),
  generateAutomaticCustomerCard: z.boolean().describe(help("generateAutomaticCustomerCard")),
  defaultAccountType: Code.describe(help("defaultAccountType")),
  maxAccountsPerCustomer: WholeNumber.min(0, "must be 0 or more").max(1000, "at most 1000")
    .describe(help("maxAccountsPerCustomer")),
  nonLoyaltyCategoryCodes: CodeList.describe(help("nonLoyaltyCategoryCodes")),
  multipleSalesInOneDayCountAsOneVisit: z.boolean()
    .describe(help("multipleSalesInOneDayCountAsOneVisit")),
  staffLoyaltyCategoryCodes: CodeList.describe(help("staffLoyaltyCategoryCodes")),
  /** A store number of the programme, or null. */
  staffLoyaltyDefaultLocation: PositiveInt.nullable().describe(help("staffLoyaltyDefaultLocation")),
  showKeyLineTotal: z.boolean().describe(help("showKeyLineTotal")),
  /** A ledger reference code; empty while no key line total is kept. */
  keyLineTotalReferenceMatch: z.string().trim().max(20, "at most 20 characters")
    .transform((s) => s.toUpperCase()).describe(help("keyLineTotalReferenceMatch")),
  calcPointsOnDiscountedItems: z.boolean().describe(help("calcPointsOnDiscountedItems")),
  originalReceiptReturnReturnsOriginalPoints: z.boolean()
    .describe(help("originalReceiptReturnReturnsOriginalPoints")),
  roundingRule: z.enum(ROUNDING_MODES, { error: "one of none, up, down, nearest" })
    .describe(help("roundingRule")),
  sendNewMemberEmail: z.boolean().describe(help("sendNewMemberEmail")),
  // Optional on input with its default, so a settings document written before this setting
  // existed (a client's saved copy) is still accepted and means what it meant then.
  pointValue: money(PositiveInt.max(1_000_000, "at most 1000000"), help("pointValue")).default(1),
  // Optional on input too, off when absent (see programme/settings.ts `toVersion`).
  pointsEarnedOnPartPaidWithPoints: z.boolean().default(false)
    .describe(help("pointsEarnedOnPartPaidWithPoints")),
  wholesale: Wholesale,
});

/**
 * The loyalty settings of a merchant group, every field of seed 004 under the JSON names
 * of PRODUCT.md section 3; no other key is accepted.
 */
export const LoyaltySettingsSchema = Settings.extend({ wholesale: Wholesale.catchall(Unknown) })
  .catchall(Unknown);

/** Typed from the closed shape (the catchall would add an index signature). */
export type LoyaltySettings = z.infer<typeof Settings>;

/**
 * A new programme's settings. Seed 004 states no defaults for most fields; where it hints
 * (retail counts each sale as a visit; "Max accounts" unused → unlimited; MEMCR as the
 * example account type) we follow it, elsewhere we choose what a new programme expects.
 */
export const DEFAULT_SETTINGS: LoyaltySettings = {
  categoryNames: ["Customer type", "Category 2", "Category 3", "Category 4", "Category 5"],
  exportCustomersRequiresLocation: false,
  generateAutomaticCustomerCard: true,
  defaultAccountType: "MEMCR",
  maxAccountsPerCustomer: 0,
  nonLoyaltyCategoryCodes: [],
  multipleSalesInOneDayCountAsOneVisit: false,
  staffLoyaltyCategoryCodes: [],
  staffLoyaltyDefaultLocation: null,
  showKeyLineTotal: false,
  keyLineTotalReferenceMatch: "",
  calcPointsOnDiscountedItems: true,
  originalReceiptReturnReturnsOriginalPoints: true,
  roundingRule: "none",
  sendNewMemberEmail: false,
  pointValue: 1,
  pointsEarnedOnPartPaidWithPoints: false,
  wholesale: {
    location: null,
    tillCode: null,
    tillNumber: null,
    operatorNumber: null,
    priceLevel: 1,
  },
};

/** Member, staff or plain customer, from category 1 and the settings' code lists. */
export function customerStatus(settings: LoyaltySettings, categories: string[]) {
  const type = (categories[0] ?? "").toUpperCase();
  return {
    member: !settings.nonLoyaltyCategoryCodes.includes(type),
    staff: settings.staffLoyaltyCategoryCodes.includes(type),
  };
}
