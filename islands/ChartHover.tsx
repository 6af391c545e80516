import { useState } from "preact/hooks";

export interface ChartHoverProps {
  /** What the chart shows, for screen readers and as its caption. */
  title: string;
  /** The chart, drawn on the server (components/reports/chart.ts). */
  svg: string;
  width: number;
  /** The plot's left and right margins inside the SVG, in its pixels. */
  left: number;
  right: number;
  /** Per category (left to right): its label and one line per series, formatted. */
  points: { label: string; lines: string[] }[];
}

/**
 * A server-drawn chart with its details under the pointer: the SVG reads alone, without
 * JavaScript; where it runs, moving over the plot shows the category's figures.
 */
export default function ChartHover({ title, svg, width, left, right, points }: ChartHoverProps) {
  const [at, setAt] = useState<{ index: number; x: number } | null>(null);
  const move = (e: MouseEvent) => {
    const box = (e.currentTarget as HTMLElement).getBoundingClientRect();
    const scale = width / box.width;
    const x = (e.clientX - box.left) * scale;
    const band = (width - left - right) / Math.max(points.length, 1);
    const index = Math.floor((x - left) / band);
    setAt(index >= 0 && index < points.length ? { index, x: e.clientX - box.left } : null);
  };
  const point = at && points[at.index];
  return (
    <figure class="chart">
      <div
        class="chart-svg"
        role="img"
        aria-label={title}
        onMouseMove={move}
        onMouseLeave={() => setAt(null)}
        // deno-lint-ignore react-no-danger -- the SVG is drawn by our own server, from numbers.
        dangerouslySetInnerHTML={{ __html: svg }}
      />
      {point && (
        <div class="chart-tip" role="status" style={{ left: `${at.x + 12}px` }}>
          <strong>{point.label}</strong>
          {point.lines.map((l) => <div key={l}>{l}</div>)}
        </div>
      )}
    </figure>
  );
}
