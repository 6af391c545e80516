/**
 * What a return against its original receipt takes back, as plain arithmetic over the sale's
 * attribution (its `sale_lines` and `sale_awards`). Points are integer hundredths, money
 * integer minor units.
 *
 * Every figure is cumulative: after a return, a line's awards have given back
 * `points × returned / quantity` (rounded toward zero), and exactly `points` once the line is
 * wholly returned; each return takes the difference from what earlier returns took. So any
 * number of partial returns never exceeds what the line earned, and a full return reverses
 * exactly everything. The points that paid for the sale come back the same way, in proportion
 * to the value returned.
 */

export interface SoldLine {
  index: number;
  quantity: number;
  /** Already returned by earlier returns. */
  returnedQuantity: number;
  /** Minor units, after discounts. */
  net: number;
}

export interface SoldAward {
  lineIndex: number;
  ruleId: string;
  type: string;
  reference: string;
  points: number;
  reversed: number;
}

export interface ReturnedLine {
  /** Index of the line in the original sale. */
  originalIndex: number;
  quantity: number;
}

export interface AwardReversal {
  lineIndex: number;
  ruleId: string;
  reference: string;
  /** Hundredths to take back now. */
  points: number;
}

export interface ReturnFigures {
  /** Per award of a returned line, what this return reverses (0s left out). */
  reversals: AwardReversal[];
  /** Per original line, its quantity returned once this return is counted. */
  returnedQuantity: Map<number, number>;
  /** Minor units of value this return gives back. */
  value: number;
}

/** `total × part / whole`, toward zero, exactly (BigInt inside). */
export function share(total: number, part: number, whole: number): number {
  if (whole === 0 || part === 0) return 0;
  if (part >= whole) return total;
  return Number(BigInt(total) * BigInt(part) / BigInt(whole));
}

/**
 * The reversals of a return. With `allPoints` (the setting "a return with the original receipt
 * takes back all its points") every award of a returned line is reversed; without it only the
 * basic points. Quantities must already be checked against what is left to return.
 */
export function returnFigures(
  lines: readonly SoldLine[],
  awards: readonly SoldAward[],
  returned: readonly ReturnedLine[],
  allPoints: boolean,
): ReturnFigures {
  const byIndex = new Map(lines.map((l) => [l.index, l]));
  const after = new Map<number, number>();
  for (const r of returned) {
    const line = byIndex.get(r.originalIndex)!;
    after.set(r.originalIndex, (after.get(r.originalIndex) ?? line.returnedQuantity) + r.quantity);
  }
  let value = 0;
  for (const [index, quantity] of after) {
    const line = byIndex.get(index)!;
    value += share(line.net, quantity, line.quantity) -
      share(line.net, line.returnedQuantity, line.quantity);
  }
  const reversals: AwardReversal[] = [];
  for (const award of awards) {
    const quantity = after.get(award.lineIndex);
    if (quantity === undefined) continue;
    if (!allPoints && award.type !== "basic-points") continue;
    const line = byIndex.get(award.lineIndex)!;
    const points = share(award.points, quantity, line.quantity) - award.reversed;
    if (points !== 0) {
      reversals.push({
        lineIndex: award.lineIndex,
        ruleId: award.ruleId,
        reference: award.reference,
        points,
      });
    }
  }
  return { reversals, returnedQuantity: after, value };
}

/**
 * The spent points a return gives back: the sale's redeemed points in proportion to the value
 * returned so far (all of what is left once everything is returned), less what earlier returns
 * gave back.
 */
export function redeemedBack(
  sale: { total: number; redeemed: number; redeemedReturned: number; returnedTotal: number },
  value: number,
  wholeReturned: boolean,
): number {
  const cumulative = wholeReturned
    ? sale.redeemed
    : share(sale.redeemed, sale.returnedTotal + value, sale.total);
  return Math.max(0, cumulative - sale.redeemedReturned);
}
