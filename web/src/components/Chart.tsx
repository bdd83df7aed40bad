import * as echarts from 'echarts';
import { useEffect, useRef } from 'react';

/*
 * An Apache ECharts chart. Charts are pictures, so each has a title for screen readers, and the
 * pages put the same figures in a table beside it.
 */
export function Chart({
  option,
  label,
  height = 280,
}: {
  option: echarts.EChartsCoreOption;
  label: string;
  height?: number;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const chart = echarts.init(element, undefined, { renderer: 'svg' });
    chart.setOption({ animation: false, aria: { enabled: true }, ...option });
    const resize = () => {
      chart.resize();
    };
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [option]);
  return <div ref={ref} role="img" aria-label={label} className="chart" style={{ height }} />;
}
