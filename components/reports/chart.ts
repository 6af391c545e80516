/**
 * Charts drawn on the server: Apache ECharts' server-side SVG rendering (no DOM), so a chart
 * reads without JavaScript; islands/ChartHover.tsx adds hover details where it runs. The plot's
 * margins are fixed here and given to the island, which finds the category under the pointer
 * from them.
 */
import * as echarts from "echarts";

export interface ChartSeries {
  name: string;
  type: "bar" | "line";
  values: number[];
  /** Bars of one stack are drawn on top of each other. */
  stack?: string;
}

export interface ChartSpec {
  /** The x axis' labels, one per category. */
  categories: string[];
  series: ChartSeries[];
  width?: number;
  height?: number;
  /** The y axis' label of a value. */
  axisLabel?: (value: number) => string;
}

/** Where the plot is inside the SVG, in its pixels. */
export const GRID = { left: 72, right: 24, top: 36, bottom: 36 } as const;

export interface Chart {
  svg: string;
  width: number;
  height: number;
}

export function renderChart(spec: ChartSpec): Chart {
  const width = spec.width ?? 900;
  const height = spec.height ?? 260;
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: "system-ui, sans-serif" },
      legend: { top: 4, left: GRID.left, itemWidth: 14, itemHeight: 10 },
      grid: { ...GRID, containLabel: false },
      xAxis: {
        type: "category",
        data: spec.categories,
        boundaryGap: true,
        axisTick: { alignWithLabel: true },
      },
      yAxis: {
        type: "value",
        ...(spec.axisLabel ? { axisLabel: { formatter: spec.axisLabel } } : {}),
      },
      series: spec.series.map((s) => ({
        name: s.name,
        type: s.type,
        data: s.values,
        stack: s.stack,
        symbolSize: 4,
      })),
    });
    return { svg: chart.renderToSVGString(), width, height };
  } finally {
    chart.dispose();
  }
}
