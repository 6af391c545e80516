import { z } from "zod";
import { ROUNDING_MODES } from "../rules/points.ts";

/** Codes are compared as entered at the POS: trimmed and upper-cased, each once. */
const Code = z.string().trim().min(1, "must not be empty").max(20, "at most 20 characters")
  .transform((s) => s.toUpperCase());
const CodeList = z.array(Code).max(100).refine(
  (codes) => new Set(codes).size === codes.length,
  "each code once",
);
const PositiveInt = z.number().int("must be a whole number").positive("must be 1 or more");

/**
 * The loyalty settings of a merchant group, every field of seed 004 under the JSON names
 * of PRODUCT.md section 3.
 */
export const LoyaltySettingsSchema = z.object({
  categoryNames: z.array(z.string().trim().max(40, "at most 40 characters")).length(5),
  exportCustomersRequiresLocation: z.boolean(),
  generateAutomaticCustomerCard: z.boolean(),
  defaultAccountType: Code,
  /** 0 = unlimited. */
  maxAccountsPerCustomer: z.number().int().min(0).max(1000),
  nonLoyaltyCategoryCodes: CodeList,
  multipleSalesInOneDayCountAsOneVisit: z.boolean(),
  staffLoyaltyCategoryCodes: CodeList,
  /** A store number of the programme, or null. */
  staffLoyaltyDefaultLocation: PositiveInt.nullable(),
  showKeyLineTotal: z.boolean(),
  keyLineTotalReferenceMatch: z.string().trim().max(20),
  calcPointsOnDiscountedItems: z.boolean(),
  originalReceiptReturnReturnsOriginalPoints: z.boolean(),
  roundingRule: z.enum(ROUNDING_MODES),
  sendNewMemberEmail: z.boolean(),
  wholesale: z.object({
    location: PositiveInt.nullable(),
    tillCode: z.string().trim().max(20).nullable(),
    tillNumber: PositiveInt.nullable(),
    operatorNumber: PositiveInt.nullable(),
    priceLevel: z.number().int().min(1, "1 to 5").max(5, "1 to 5"),
  }).strict(),
}).strict();

export type LoyaltySettings = z.infer<typeof LoyaltySettingsSchema>;

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
