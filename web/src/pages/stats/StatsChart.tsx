// One chart of the 统计 dashboard: ECharts with per-chart imports (core, BarChart/PieChart, the grid and tooltip, the
// SVG renderer), about a fifth of the whole library. The page loads this module lazily, so nothing of ECharts is in
// the entry or any other page. The chart is an image to screen readers (role img, its figures in the aria-label);
// the page shows the same numbers in a table beside it.
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, PieChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import type { StatsGroup } from '../../client/stats';
import { chartHeight } from './chartSize';

echarts.use([BarChart, PieChart, GridComponent, TooltipComponent, SVGRenderer]);

/** antd's blue and a few more with at least 3:1 against white, for the pie's slices. */
const COLORS = ['#1677ff', '#d4380d', '#389e0d', '#c41d7f', '#531dab', '#ad6800', '#08979c', '#595959'];
/** Axis and label text: #595959 on white is 7:1. */
const TEXT = '#595959';

export interface StatsChartProps {
  kind: 'bar' | 'pie';
  /** what the chart counts, for its accessible name */
  title: string;
  groups: StatsGroup[];
}

const shorten = (s: string, n: number) => (Array.from(s).length > n ? `${Array.from(s).slice(0, n).join('')}…` : s);

function optionOf({ kind, groups }: StatsChartProps): echarts.EChartsCoreOption {
  if (kind === 'pie') {
    return {
      color: COLORS,
      tooltip: { trigger: 'item', formatter: '{b}：{c}（{d}%）' },
      series: [
        {
          type: 'pie',
          radius: ['35%', '65%'],
          label: { color: TEXT, formatter: '{b}\n{c}' },
          data: groups.filter((g) => g.count > 0).map((g) => ({ name: g.label, value: g.count })),
        },
      ],
    };
  }
  // horizontal bars: long Chinese labels (推荐单位, 推荐领域) stay readable on a phone
  const rows = [...groups].reverse();
  return {
    color: COLORS,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, axisLabel: { color: TEXT } },
    yAxis: { type: 'category', data: rows.map((g) => g.label), axisLabel: { color: TEXT, formatter: (v: string) => shorten(v, 12) } },
    series: [{ type: 'bar', data: rows.map((g) => g.count), barMaxWidth: 22, label: { show: true, position: 'right', color: TEXT } }],
  };
}

export default function StatsChart(props: StatsChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const el = box.current!;
    const c = echarts.init(el, undefined, { renderer: 'svg' });
    chart.current = c;
    const observer = new ResizeObserver(() => c.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(optionOf(props), true);
  }, [props.kind, props.groups]);

  const summary = props.groups.map((g) => `${g.label}${g.count}`).join('，');
  return (
    <div
      ref={box}
      className="stats-chart"
      role="img"
      aria-label={`${props.title}图表：${summary || '无数据'}`}
      style={{ width: '100%', height: chartHeight(props) }}
    />
  );
}
