import type { CouponBenefit } from "../../instruments/coupons.ts";
import type { Series } from "../../instruments/series.ts";
import { formatMoney } from "../../money/amount.ts";

/** The instrument types in people's words, in the order the form offers them. */
export const TYPE_LABELS: Record<Series["type"], string> = {
  "gift-card": "Gift card",
  "loyalty-card": "Loyalty card",
  "store-credit": "Store credit",
  coupon: "Coupon",
};

export const formatCount = (n: number) => new Intl.NumberFormat("en-US").format(n);

/** What a coupon gives, in people's words: "€5.00 off", "10% off SHOES", "50 points". */
export function benefitLabel(b: CouponBenefit, currency: string): string {
  switch (b.kind) {
    case "amountOff":
      return `${formatMoney(b.amount, currency)} off`;
    case "bonusPoints":
      return `${formatCount(b.points / 100)} bonus points`;
    case "percentOff": {
      const lines = [...b.selector?.skus ?? [], ...b.selector?.categories ?? []].join(", ");
      return `${b.percent}% off${lines ? ` ${lines}` : ""}` +
        (b.selector?.excludeDiscounted ? ", not on discounted lines" : "");
    }
  }
}
