import ChartHover from "../../islands/ChartHover.tsx";
import type { Report } from "../../reports/report.ts";
import { Island } from "../../web/island.tsx";
import { reportChart } from "./charts.ts";
import { formatCell, isNumeric } from "./format.ts";

export interface ReportSectionProps {
  id: string;
  title: string;
  /** What the figures are, in a sentence. */
  about: string;
  report: Report;
  /** The CSV of exactly the table below. */
  csvHref: string;
  /** Figures of the whole period shown above the chart ("Member share of spend: 41.0%"). */
  summary?: { label: string; value: string }[];
}

/** One report: its chart (SVG from the server, hover details where JavaScript runs), its table, its CSV. */
export function ReportSection({ id, title, about, report, csvHref, summary }: ReportSectionProps) {
  const { table } = report;
  const numeric = table.rows[0]?.map(isNumeric) ?? [];
  return (
    <section class="card report" id={id} aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{title}</h2>
      <p class="muted">{about}</p>
      {summary && (
        <dl class="figures">
          {summary.map((s) => (
            <div>
              <dt>{s.label}</dt>
              <dd>{s.value}</dd>
            </div>
          ))}
        </dl>
      )}
      {table.rows.length
        ? <Island of={ChartHover} props={reportChart(title, report.figures)} />
        : <p>Nothing in this period.</p>}
      <p>
        <a href={csvHref} download>Download this table (CSV)</a>
      </p>
      <div class="table-scroll">
        <table data-report={report.figures.name}>
          <thead>
            <tr>
              {table.columns.map((c, i) => (
                <th key={c} class={numeric[i] ? "num" : undefined}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((r) => (
              <tr>
                {r.map((c, i) => (
                  <td key={i} class={isNumeric(c) ? "num" : undefined}>{formatCell(c)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
