export * from './report-model';
export { renderJson } from './render-json';
export {
  CSV_CONTENT_TYPE,
  caseCsvFields,
  caseCsvHeader,
  csvField,
  csvLine,
  renderComparisonCsv,
  renderCsv,
} from './render-csv';
export { escapeMarkdown, renderMarkdown } from './render-markdown';
export { renderHtml } from './render-html';
export { renderPdf } from './render-pdf';
export {
  CONTENT_TYPES,
  isReportFormat,
  renderReport,
  reportFilename,
  REPORT_FORMATS,
  type DocumentFormat,
  type RenderedReport,
} from './render-report';
export { escapeHtml } from './svg';
export { toWinAnsi } from './pdf-text';
