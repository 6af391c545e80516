/**
 * From the rules that fired to the answer: points per rule, attributed to lines, and staff
 * discounts. Plain integer arithmetic shared by both evaluators (the engine only decides WHICH
 * rules fire). Points are integer hundredths, money integer minor units; every intermediate
 * value is an exact BigInt fraction, rounded once per rule.
 *
 * Exact points of an earning rule, per line i (the rule's points are their sum):
 * - basic-points    base_i × ppu / 10^digits on the basis lines (all lines without a basis);
 * - item-points     quantity_i × perItem, or base_i × ppu / 10^digits, on the matched lines that
 *                   carry no discount of any kind (seed 004: "items with no discounts");
 * - basket-points   base_i × ppu / 10^digits, or the fixed points × w_i / Σw;
 * - tender-points   tendered × ppu / 10^digits × w_i / Σw (tendered below zero counts as zero);
 * where base_i is the line's earning base (its net, less its share of the points tender unless
 * the programme earns on the part paid with points: rules/earning_base.ts) and w_i the line's
 * net, or its quantity when every net is zero. A basket without lines has nothing to attribute
 * points to and earns nothing.
 *
 * Multipliers. A multiplier of factor f on rule R adds (f − 1) × R's exact points — of the
 * selected lines only when it has a selector. Several multipliers on one rule ADD their extras
 * (2× and 3× make 4×). R's rounding (its own, else the programme's) is applied once, AFTER its
 * multipliers: R_total = round(R's exact points + every extra). R's award keeps round(R's exact
 * points); the difference R_total − that, which is what the promotion cost, is each
 * multiplier's own award (its name and reference), split between several multipliers of R in
 * proportion to their exact extras. So no rounding ever applies to a sum of rules, yet the
 * award lines add up. A multiplier has no rounding of its own (the schema rejects one).
 *
 * Attribution. Each award's points are split over lines in proportion to the exact per-line
 * points behind them (for a multiplier: the exact points, on its lines, of the rules it
 * multiplied), by largest remainder on hundredths with ties to the lower line index. So the
 * lines of an award sum exactly to its points, and the basket's line totals to its total. A
 * return reverses what a line earned from these figures.
 *
 * Staff discounts. Each line gets at most one: from the highest-priority firing staff-discount
 * rule whose selector matches it (then the earlier rule), percent × the line's net, half up to
 * the minor unit. Discounts never stack, so a line is never discounted below zero. Points are
 * computed on the basket as given, before the POS applies these discounts.
 */
import { apportion } from "./apportion.ts";
import type { Context, EarningLine } from "./context.ts";
import { tenderAmount } from "./facts.ts";
import { roundHundredths, toHundredths } from "./points.ts";
import {
  DEFAULT_REFERENCE,
  type EarningType,
  isEarningType,
  type Rule,
  type RuleEvent,
} from "./schema.ts";
import { lineMatches } from "./selector.ts";

export interface LinePoints {
  /** Index into the basket's `lines`. */
  index: number;
  /** Integer hundredths. */
  points: number;
}

export interface Award {
  ruleId: string;
  name: string;
  type: EarningType | "multiplier";
  /** Ledger reference code of these points. */
  reference: string;
  /** Integer hundredths, rounded per rule; `lines` sum to it exactly. */
  points: number;
  /** The lines that earned a non-zero part, by index. */
  lines: LinePoints[];
}

export interface LineDiscount {
  ruleId: string;
  lineIndex: number;
  /** Integer minor units off the line. */
  amount: number;
}

export interface Evaluation {
  /** Earns points and counts as a member transaction. */
  member: boolean;
  /** Customer type is a staff code. */
  staff: boolean;
  /** Not a member: no customer, not in the programme, or a non-loyalty customer type. */
  nonLoyalty: boolean;
  /** Net transaction total, minor units (order-level discounts deducted). */
  total: number;
  /** Sum of the awards (hundredths); never rounded again. */
  points: number;
  /** One per fired earning rule and multiplier (0 points included): priority desc, then order. */
  awards: Award[];
  /** Every basket line, by index: what it earned over all awards. */
  lines: LinePoints[];
  /** Staff discounts by line index. */
  discounts: LineDiscount[];
}

const bigSum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n);

/**
 * Every rule's exact points per line are numerators over ONE denominator per evaluation,
 * 10^digits × Σw (w: the sale weights), so exact values of different rules add up directly.
 */
interface Scale {
  /** Sale weight of each line: its net, or its quantity when every net is zero. */
  w: bigint[];
  /** Σw; 0 only for a basket without lines. */
  sumW: bigint;
  /** 10^digits: minor units per currency unit. */
  unit: bigint;
  /** The common denominator, unit × Σw (unit alone without lines). */
  den: bigint;
}

function scaleOf(ctx: Context): Scale {
  const w = ctx.lines.some((l) => l.net > 0)
    ? ctx.lines.map((l) => BigInt(l.net))
    : ctx.lines.map((l) => BigInt(l.quantity));
  const sumW = bigSum(w);
  const unit = 10n ** BigInt(ctx.digits);
  return { w, sumW, unit, den: sumW > 0n ? unit * sumW : unit };
}

/**
 * A rule's exact points per context line: shape[i] × factor, over `scale.den` hundredths.
 * The shape (nets, quantities or sale weights) is small, so attributing by it is cheap.
 */
interface Exact {
  shape: bigint[];
  factor: bigint;
}

function exactPoints(event: RuleEvent, ctx: Context, scale: Scale): Exact {
  const { lines } = ctx;
  const { w, sumW, unit, den } = scale;
  /** Per 1.00 of the kept lines' bases: base × h / unit = base × h × (den / unit) / den. */
  const perUnit = (ppu: number, keep: (l: EarningLine) => boolean): Exact => ({
    shape: lines.map((l) => keep(l) ? BigInt(l.base) : 0n),
    factor: BigInt(toHundredths(ppu)) * (den / unit),
  });
  /** `amount` hundredths over `over`, spread by sale weight: amount × w_i / (over × Σw). */
  const spread = (amount: bigint, over: bigint): Exact =>
    sumW === 0n ? { shape: w, factor: 0n } : { shape: w, factor: amount * (unit / over) };
  switch (event.type) {
    case "basic-points": {
      const basis = event.params.basis;
      return perUnit(event.params.pointsPerUnit, (l) => !basis || lineMatches(l, basis));
    }
    case "item-points": {
      const { selector, perItem, pointsPerUnit } = event.params;
      const keep = (l: EarningLine) => !l.discounted && lineMatches(l, selector);
      if (pointsPerUnit !== undefined) return perUnit(pointsPerUnit, keep);
      return {
        shape: lines.map((l) => keep(l) ? BigInt(l.quantity) : 0n),
        factor: BigInt(toHundredths(perItem ?? 0)) * den,
      };
    }
    case "basket-points": {
      const { points, pointsPerUnit } = event.params;
      if (pointsPerUnit !== undefined) return perUnit(pointsPerUnit, () => true);
      return spread(BigInt(toHundredths(points ?? 0)), 1n);
    }
    case "tender-points": {
      const { tenderTypes, pointsPerUnit } = event.params;
      const tendered = BigInt(Math.max(0, tenderAmount(ctx, tenderTypes)));
      return spread(tendered * BigInt(toHundredths(pointsPerUnit)), unit);
    }
    case "multiplier":
    case "staff-discount":
      throw new Error(`${event.type} earns no points of its own`);
  }
}

/** Non-zero line parts of `points` split by `weights`. */
function attribute(points: number, weights: readonly bigint[]): LinePoints[] {
  const out: LinePoints[] = [];
  if (points === 0) return out;
  apportion(points, weights).forEach((p, index) => {
    if (p !== 0) out.push({ index, points: p });
  });
  return out;
}

interface Multiplier {
  rule: Rule;
  /** (factor − 1) in hundredths. */
  extra: bigint;
  /** Indices of the lines it applies to. */
  lines: number[];
  targets: ReadonlySet<string> | null;
  points: number;
  /** Exact per-line points of the rules it multiplied, on its lines: its extras ÷ (f − 1). */
  base: bigint[];
}

/** Rules fired (indices into `rules`) → the evaluation. Disabled rules must not be in `fired`. */
export function evaluationOf(
  rules: readonly Rule[],
  fired: readonly number[],
  ctx: Context,
): Evaluation {
  const order = [...fired].sort((a, b) => rules[b].priority - rules[a].priority || a - b);
  const scale = scaleOf(ctx);
  const multipliers = new Map<number, Multiplier>();
  for (const i of order) {
    const { event } = rules[i];
    if (event.type !== "multiplier") continue;
    const { factor, selector, ruleIds } = event.params;
    multipliers.set(i, {
      rule: rules[i],
      extra: BigInt(toHundredths(factor) - 100),
      lines: ctx.lines.filter((l) => !selector || lineMatches(l, selector)).map((l) => l.index),
      targets: ruleIds ? new Set(ruleIds) : null,
      points: 0,
      base: ctx.lines.map(() => 0n),
    });
  }

  const earned = new Map<number, Award>();
  for (const i of order) {
    const rule = rules[i];
    const type = rule.event.type;
    if (!isEarningType(type)) continue;
    const { shape, factor } = exactPoints(rule.event, ctx, scale);
    const exact = bigSum(shape) * factor;
    const mode = rule.rounding ?? ctx.settings.roundingRule;
    const points = roundHundredths(exact, scale.den, mode);
    earned.set(i, {
      ruleId: rule.id,
      name: rule.name,
      type,
      reference: rule.reference ?? DEFAULT_REFERENCE,
      points,
      lines: attribute(points, shape),
    });

    // Every multiplier of this rule adds its extra; the rule is rounded once, with them.
    const mine = [...multipliers.values()].filter((m) => !m.targets || m.targets.has(rule.id));
    if (mine.length === 0) continue;
    const extras = mine.map((m) => {
      let sum = 0n;
      for (const line of m.lines) {
        if (shape[line] === 0n) continue;
        sum += shape[line];
        m.base[line] += shape[line] * factor;
      }
      return sum * factor * m.extra;
    });
    const total = roundHundredths(exact * 100n + bigSum(extras), scale.den * 100n, mode);
    const shares = mine.length === 1 ? [total - points] : apportion(total - points, extras);
    mine.forEach((m, k) => m.points += shares[k]);
  }

  const awards: Award[] = [];
  for (const i of order) {
    const m = multipliers.get(i);
    const award = earned.get(i) ?? (m && {
      ruleId: m.rule.id,
      name: m.rule.name,
      type: "multiplier" as const,
      reference: m.rule.reference ?? DEFAULT_REFERENCE,
      points: m.points,
      lines: attribute(m.points, m.base),
    });
    if (award) awards.push(award);
  }

  const perLine = ctx.lines.map(() => 0);
  for (const a of awards) for (const l of a.lines) perLine[l.index] += l.points;

  return {
    member: ctx.status.member,
    staff: ctx.status.staff,
    nonLoyalty: ctx.status.nonLoyalty,
    total: ctx.total,
    points: awards.reduce((sum, a) => sum + a.points, 0),
    awards,
    lines: perLine.map((points, index) => ({ index, points })),
    discounts: staffDiscounts(rules, order, ctx),
  };
}

function staffDiscounts(rules: readonly Rule[], order: readonly number[], ctx: Context) {
  const staff = order.flatMap((i) => {
    const { id, event } = rules[i];
    return event.type === "staff-discount" ? [{ id, ...event.params }] : [];
  });
  const out: LineDiscount[] = [];
  for (const line of ctx.lines) {
    const rule = staff.find((r) => !r.selector || lineMatches(line, r.selector));
    if (!rule) continue;
    // net × percent / 100, half up; percent is in hundredths, so over 10000.
    const amount = (2n * BigInt(line.net) * BigInt(toHundredths(rule.percent)) + 10000n) / 20000n;
    if (amount > 0n) out.push({ ruleId: rule.id, lineIndex: line.index, amount: Number(amount) });
  }
  return out;
}
