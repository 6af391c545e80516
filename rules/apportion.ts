/**
 * Largest-remainder apportionment: splits an integer total over weights so that the parts are
 * integers, sum EXACTLY to the total, and each part is within one unit of its exact share.
 * Used to spread an order-level discount over lines and to attribute a rule's points to lines.
 */
// No imports: bundled into islands as it is.

/**
 * Splits `total` (a non-negative safe integer) in proportion to `weights` (non-negative).
 * Each part starts at floor(total × w / W); the units left over go one each to the largest
 * remainders, ties to the lower index, so the result is deterministic. A zero weight always
 * gets 0 (its remainder is 0 and the units left over are fewer than the non-zero remainders).
 */
export function apportion(total: number, weights: readonly bigint[]): number[] {
  if (!Number.isSafeInteger(total) || total < 0) {
    throw new RangeError("total must be a non-negative safe integer");
  }
  let sum = 0n;
  for (const w of weights) {
    if (w < 0n) throw new RangeError("weights must be non-negative");
    sum += w;
  }
  if (total === 0) return weights.map(() => 0);
  if (sum === 0n) throw new RangeError("cannot apportion a non-zero total over zero weights");
  // Doubles are exact while total × W is a safe integer, and far cheaper than BigInt.
  if (sum <= BigInt(Math.floor(Number.MAX_SAFE_INTEGER / total))) {
    return splitSmall(total, weights.map(Number), Number(sum));
  }
  return splitBig(total, weights, sum);
}

function splitSmall(total: number, weights: readonly number[], sum: number): number[] {
  const parts = weights.map(() => 0);
  const remainders = weights.map(() => 0);
  weights.forEach((w, i) => {
    const q = total * w; // exact: q ≤ total × sum ≤ 2^53
    remainders[i] = q % sum;
    parts[i] = (q - remainders[i]) / sum;
  });
  return distribute(total, parts, remainders);
}

function splitBig(total: number, weights: readonly bigint[], sum: bigint): number[] {
  const t = BigInt(total);
  const parts = weights.map(() => 0);
  const remainders = weights.map(() => 0n);
  weights.forEach((w, i) => {
    const q = t * w;
    remainders[i] = q % sum;
    parts[i] = Number(q / sum);
  });
  return distribute(total, parts, remainders);
}

/** Gives the units the floors left over to the largest remainders, ties to the lower index. */
function distribute<R extends number | bigint>(total: number, parts: number[], remainders: R[]) {
  let left = total;
  const candidates: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    left -= parts[i];
    if (remainders[i] > 0) candidates.push(i);
  }
  if (left > 0) {
    candidates.sort((a, b) =>
      remainders[a] === remainders[b] ? a - b : remainders[a] > remainders[b] ? -1 : 1
    );
    for (let k = 0; k < left; k++) parts[candidates[k]] += 1;
  }
  return parts;
}
