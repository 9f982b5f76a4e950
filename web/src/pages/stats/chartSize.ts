// A chart's height, known before ECharts loads (the page's placeholder takes it, so nothing jumps when it arrives).
import type { StatsGroup } from '../../client/stats';

export const chartHeight = ({ kind, groups }: { kind: 'bar' | 'pie'; groups: readonly StatsGroup[] }) =>
  kind === 'pie' ? 240 : Math.max(120, 28 * groups.length + 24);
