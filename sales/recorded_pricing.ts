/**
 * What a sale's pricing read, kept on the sale (`sales.pricing`) so a replay re-prices it as
 * it was priced: the basket the rules saw (the request's lines with their categories, the
 * customer as the rules saw them — categories, card series and visits at the time — and the
 * coupons' money off among the order-level discounts), the earning settings it was priced
 * under, and the rules that fired (earning rules and multipliers, 0 points included).
 */
import type { Evaluation } from "../rules/awards.ts";
import type { Basket } from "../rules/basket.ts";
import { type Settings, SettingsSchema } from "../rules/settings.ts";

export interface RecordedPricing {
  basket: Basket;
  settings: Settings;
  /** Ids of the rules that fired and earn points or multiply them, in award order. */
  fired: string[];
}

const SETTING_KEYS = Object.keys(SettingsSchema.shape) as (keyof Settings)[];

/** The settings evaluation reads, out of the programme's full settings. */
export function earningSettingsOf(settings: Settings): Settings {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) if (settings[key] !== undefined) out[key] = settings[key];
  return out as Settings;
}

export const recordedPricing = (
  basket: Basket,
  settings: Settings,
  evaluation: Evaluation,
): RecordedPricing => ({
  basket,
  settings: earningSettingsOf(settings),
  fired: evaluation.awards.map((a) => a.ruleId),
});
