import type { Series } from "../../instruments/series.ts";

/** The instrument types in people's words, in the order the form offers them. */
export const TYPE_LABELS: Record<Series["type"], string> = {
  "gift-card": "Gift card",
  "loyalty-card": "Loyalty card",
  "store-credit": "Store credit",
  coupon: "Coupon",
};

export const formatCount = (n: number) => new Intl.NumberFormat("en-US").format(n);
