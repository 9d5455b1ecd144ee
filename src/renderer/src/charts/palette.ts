// Chart colours come from the page's CSS custom properties (styles.css), so light and dark
// schemes have one source of truth; the fallbacks are the light scheme.

export interface ChartPalette {
  text: string;
  muted: string;
  axis: string;
  grid: string;
  surface: string;
  border: string;
  train: string;
  eval: string;
  zoom: string;
}

const FALLBACK: ChartPalette = {
  text: '#1f2430',
  muted: '#6b7385',
  axis: '#c9ced8',
  grid: '#eceef2',
  surface: '#ffffff',
  border: '#dde1e8',
  train: '#3b6fe0',
  eval: '#e07a1f',
  zoom: 'rgba(59, 111, 224, 0.14)',
};

export function readPalette(element: Element = document.documentElement): ChartPalette {
  const style = getComputedStyle(element);
  const read = (name: keyof ChartPalette): string =>
    style.getPropertyValue(`--chart-${name}`).trim() || FALLBACK[name];
  return {
    text: read('text'),
    muted: read('muted'),
    axis: read('axis'),
    grid: read('grid'),
    surface: read('surface'),
    border: read('border'),
    train: read('train'),
    eval: read('eval'),
    zoom: read('zoom'),
  };
}
