/**
 * The evaluation context: a validated basket with the settings, and everything derived from
 * them once per evaluation (line nets after order-level discounts, the earning base, customer
 * status, store time) so that facts and the points arithmetic read the same figures.
 */
import { type Basket, lineNets, tendersAsPaid } from "./basket.ts";
import { earningBases } from "./earning_base.ts";
import { minorUnitDigits } from "../money/currency.ts";
import { atStaffLocation, type CustomerStatus, customerStatus, type Settings } from "./settings.ts";

/** A basket line as facts and points see it. */
export interface PricedLine {
  /** Position in `basket.lines`: awards and discounts name lines by it. */
  readonly index: number;
  readonly sku: string;
  readonly category: string;
  readonly quantity: number;
  /** Minor units after the line's own discounts and its share of order-level discounts. */
  readonly net: number;
  /** Carries a discount of any kind, its own or an order-level one. */
  readonly discounted: boolean;
}

/** A line as the points arithmetic sees it: with the money it earns points on. */
export interface EarningLine extends PricedLine {
  /**
   * Minor units points per currency unit are earned on: the net, less its share of the points
   * tender unless the programme earns on the part paid with points (rules/earning_base.ts).
   */
  readonly base: number;
}

export interface LocalTime {
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  dayOfWeek: number;
  /** HH:MM, 24-hour. */
  timeOfDay: string;
  /** YYYY-MM-DD. */
  date: string;
}

export interface Context {
  readonly basket: Basket;
  readonly settings: Settings;
  readonly lines: readonly EarningLine[];
  /** Net transaction total: the sum of the line nets. */
  readonly total: number;
  /** Minor-unit digits of the basket's currency. */
  readonly digits: number;
  readonly status: CustomerStatus;
  readonly atStaffLocation: boolean;
  /** Some line carries a discount, or the order does. */
  readonly hasDiscount: boolean;
  /** Day, time and date on the store's wall clock. */
  readonly local: LocalTime;
}

/** The basket's lines as facts, points and coupon selectors see them. */
export function pricedLines(basket: Basket): PricedLine[] {
  const nets = lineNets(basket);
  const orderDiscount = basket.discounts.length > 0;
  return basket.lines.map((l, index) => ({
    index,
    sku: l.sku,
    category: l.category,
    quantity: l.quantity,
    net: nets[index],
    discounted: orderDiscount || l.discounts.length > 0,
  }));
}

export function prepare(basket: Basket, settings: Settings): Context {
  const priced = pricedLines(basket);
  const bases = earningBases(priced.map((l) => l.net), basket, settings);
  const lines = priced.map((l, i) => ({ ...l, base: bases[i] }));
  const total = lines.reduce((a, l) => a + l.net, 0);
  // Tender rules see what each tender paid: cash handed back as change earns nothing.
  const tenders = tendersAsPaid(basket.tenders, total);
  let local: LocalTime | undefined;
  return {
    basket: tenders === basket.tenders ? basket : { ...basket, tenders: [...tenders] },
    settings,
    lines,
    total,
    digits: minorUnitDigits(basket.currency),
    status: customerStatus(basket, settings),
    atStaffLocation: atStaffLocation(basket, settings),
    hasDiscount: lines.some((l) => l.discounted),
    // Intl formatting is the dearest fact; only rules that ask for the time pay for it.
    get local() {
      return local ??= localTime(basket.at, basket.timezone);
    },
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAY: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Day, time and date of `at` as seen on the store's wall clock (not UTC, not the server's). */
export function localTime(at: string, timeZone: string): LocalTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(at))) p[part.type] = part.value;
  return {
    dayOfWeek: WEEKDAY[p.weekday],
    timeOfDay: `${p.hour}:${p.minute}`,
    date: `${p.year}-${p.month}-${p.day}`,
  };
}
