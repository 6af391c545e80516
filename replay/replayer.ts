/**
 * One sale re-priced with both sides of a comparison (replay/reprice.ts), as the server's
 * thread or a replay worker (replay/worker.ts) does it: pure, no database.
 */
import type { Evaluation } from "../rules/awards.ts";
import { prepare } from "../rules/context.ts";
import { factReader } from "../rules/plain.ts";
import type { Rule } from "../rules/schema.ts";
import type { RecordedPricing } from "../sales/recorded_pricing.ts";
import { type RecordedVersion, Repricer } from "./reprice.ts";

/** The rules of one side of the comparison; a null version: nothing published. */
export interface Side {
  version: number | null;
  rules: readonly Rule[];
}

/** The two sides of a comparison. */
export interface Sides {
  published: Side;
  draft: Side;
}

/** A sale of the window with what re-pricing and adding up need (its receipt and time are
 * read for the top changes only). */
export interface RecordedSale {
  id: string;
  store_id: string;
  customer_id: string | null;
  rules_version: number | null;
  /** The points it earned, as recorded (integer hundredths). */
  points: number;
  pricing: RecordedPricing;
}

/** A sale as read: its pricing still the database's JSON text, parsed where it is re-priced. */
export type SaleRow = Omit<RecordedSale, "pricing"> & { pricing: string };

/** Recorded pricing is written only by sales/sale.ts, from a validated basket. */
export const parsedSale = (row: SaleRow): RecordedSale => ({
  ...row,
  pricing: JSON.parse(row.pricing) as RecordedPricing,
});

/**
 * The two re-pricings of one sale; `published` null when the published version priced it
 * (its recorded points and awards stand).
 */
export interface Replayed {
  published: Evaluation | null;
  draft: Evaluation;
}

/** Re-prices sales with both sides; one context per sale serves both. */
export class SaleReplayer {
  readonly published: Repricer;
  readonly draft: Repricer;
  readonly #publishedVersion: RecordedVersion;

  constructor(sides: Sides, recorded: ReadonlyMap<RecordedVersion, readonly Rule[]>) {
    this.published = new Repricer(sides.published.rules, recorded);
    this.draft = new Repricer(sides.draft.rules, recorded);
    this.#publishedVersion = sides.published.version;
  }

  async replay(sale: Pick<RecordedSale, "rules_version" | "pricing">): Promise<Replayed> {
    const ctx = prepare(sale.pricing.basket, sale.pricing.settings);
    const read = factReader(ctx);
    const fired = new Set(sale.pricing.fired);
    return {
      published: sale.rules_version === this.#publishedVersion
        ? null
        : await this.published.reprice(ctx, read, sale.rules_version, fired),
      draft: await this.draft.reprice(ctx, read, sale.rules_version, fired),
    };
  }

  /** What the shortcuts spared on both sides. */
  stats() {
    const p = this.published.stats;
    const d = this.draft.stats;
    return {
      recorded: p.recorded + d.recorded,
      remembered: p.remembered + d.remembered,
      engine: p.engine + d.engine,
    };
  }
}
