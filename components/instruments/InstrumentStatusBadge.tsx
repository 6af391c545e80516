import type { Instrument } from "../../instruments/generation.ts";

/** An instrument's status now, coloured by what it allows. */
export function InstrumentStatusBadge({ status }: { status: Instrument["status"] }) {
  return <span class={`badge ${status}`}>{status}</span>;
}
