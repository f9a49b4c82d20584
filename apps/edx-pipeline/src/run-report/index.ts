export {
  CHART_MARGIN,
  CHART_OTHERS_COLOUR,
  CHART_PALETTE,
  eventSeries,
  renderEventsChart,
} from './events-chart.js';
export type { CourseSeries, EventSeries, EventsChartOptions } from './events-chart.js';
export { renderRunReport, writeRunReport } from './render-run-report.js';
export type {
  RunCollection,
  RunEventsOnDay,
  RunFile,
  RunRejects,
  RunReport,
  RunReportFile,
  RunStage,
} from './run-report.js';
export { gatherStoreFigures } from './gather-store-figures.js';
export type { GatherStoreFiguresOptions, StoreFigures } from './gather-store-figures.js';
