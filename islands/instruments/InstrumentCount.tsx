import type { Signal } from "@preact/signals";

export interface InstrumentCountProps {
  /** How many instruments the series holds; its generator sets it when a batch is done. */
  count: Signal<number>;
  /** Where the series' instruments are listed. */
  href: string;
}

const fmt = (n: number) => new Intl.NumberFormat("en-US").format(n);

/** A series' instrument count, linking to them, kept current by the generator beside it. */
export default function InstrumentCount({ count, href }: InstrumentCountProps) {
  return <a href={href}>{fmt(count.value)}</a>;
}
