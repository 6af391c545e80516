import { formatMoney } from "../../money/amount.ts";
import type { Cell } from "../../reports/tables.ts";
import { formatDay, formatShare } from "../../web/format.ts";
import { formatPoints } from "../customers/format.ts";
import { formatCount } from "../series/format.ts";

/** A report's cell as the page shows it (the CSV writes the same value plainly). */
export function formatCell(c: Cell): string {
  switch (c.kind) {
    case "day":
      return formatDay(c.value);
    case "text":
      return c.value;
    case "count":
      return formatCount(c.value);
    case "points":
      return formatPoints(c.value);
    case "money":
      return formatMoney(c.value, c.currency);
    case "share":
      return formatShare(c.value);
    case "ratio":
      return c.value === null ? "–" : c.value.toFixed(2);
  }
}

/** Whether a column of cells of this kind reads as numbers (right-aligned). */
export const isNumeric = (c: Cell) => c.kind !== "day" && c.kind !== "text";
