// Saving a chart as an image: PNG from the live canvas chart, SVG by drawing the same option
// once more into a hidden instance that uses ECharts' SVG renderer (registered in echarts.ts).
import { init } from 'echarts/core';
import './echarts';

export interface ExportableChart {
  getDataURL(opts: { type: 'png'; pixelRatio?: number; backgroundColor?: string }): string;
  getOption(): unknown;
}

/** The live chart as a PNG data URL at twice the screen resolution. */
export function chartPng(chart: ExportableChart, background: string): string {
  return chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: background });
}

/** The chart's current option (zoom included) rendered by the SVG renderer, as SVG text. */
export function chartSvg(option: unknown, width: number, height: number): string {
  const host = document.createElement('div');
  host.style.cssText = `position:fixed;left:-10000px;top:0;width:${width}px;height:${height}px`;
  document.body.append(host);
  const svg = init(host, undefined, { renderer: 'svg', width, height });
  try {
    // getOption() returns a complete option; interactive parts are irrelevant for a file.
    svg.setOption(option as Parameters<typeof svg.setOption>[0]);
    return svg.renderToSVGString();
  } finally {
    svg.dispose();
    host.remove();
  }
}

/** Starts a download of `href` (a data or blob URL) named `fileName`. */
export function download(href: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
}

export function svgBlobUrl(svg: string): string {
  return URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
}
