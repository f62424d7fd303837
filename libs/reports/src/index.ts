// The format list first: libs/queue reads it while this barrel may still be loading.
export * from './report-formats';
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
  type CaseTable,
  CONTENT_TYPES,
  readBody,
  render,
  REPORT_MEDIA_TYPES,
  reportFilename,
  type RenderedReport,
} from './render';
export { escapeHtml } from './svg';
export { toWinAnsi } from './pdf-text';
export * from './report-builder';
