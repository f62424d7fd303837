/**
 * A4 PDF with pdfkit and its standard fonts (nothing to embed or find on disk): the report's
 * sections as headings, aligned tables and case listings, and the charts painted as vectors from
 * the same shapes the HTML report serializes to SVG.
 */
import PDFDocument from 'pdfkit';

import type { ChartScene, Shape } from './charts';
import { oneLine, truncate } from './format';
import { toWinAnsi } from './pdf-text';
import type { Report } from './report-model';
import {
  buildView,
  type Block,
  type CaseView,
  type CasesBlock,
  type TableBlock,
} from './report-view';

/** Longest output, expected value or error printed per case. */
export const PDF_TEXT_LIMIT = 800;

const FONT = { regular: 'Helvetica', bold: 'Helvetica-Bold', mono: 'Courier' } as const;
const MARGIN = 48;
const TABLE_SIZE = 8.5;
const BODY_SIZE = 10;
const CELL_PAD = 4;
const GREY = '#555555';

type Doc = PDFKit.PDFDocument;

class PdfWriter {
  private readonly left: number;
  private readonly width: number;

  constructor(private readonly doc: Doc) {
    this.left = doc.page.margins.left;
    this.width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  }

  private get bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  /** Starts a new page unless `height` points still fit on this one. */
  private ensure(height: number): void {
    if (this.doc.y + height > this.bottom) this.doc.addPage();
  }

  /** Flowing text (wraps, continues on the next page). */
  paragraph(
    text: string,
    options: { font?: string; size?: number; color?: string; gap?: number } = {},
  ): void {
    const { doc } = this;
    doc
      .font(options.font ?? FONT.regular)
      .fontSize(options.size ?? BODY_SIZE)
      .fillColor(options.color ?? '#222222');
    doc.text(toWinAnsi(text), this.left, doc.y, { width: this.width });
    doc.y += options.gap ?? 4;
  }

  title(title: string, subtitle: string[], generatedAt: string): void {
    this.paragraph(title, { font: FONT.bold, size: 18, gap: 6 });
    this.paragraph(subtitle.join('  ·  '), { size: 10, color: GREY, gap: 2 });
    this.paragraph(`Generated ${generatedAt}`, { size: 8, color: '#777777', gap: 10 });
  }

  heading(text: string): void {
    const { doc } = this;
    this.ensure(80);
    doc.y += 8;
    doc.outline.addItem(toWinAnsi(text));
    this.paragraph(text, { font: FONT.bold, size: 14, gap: 2 });
    doc
      .moveTo(this.left, doc.y)
      .lineTo(this.left + this.width, doc.y)
      .lineWidth(0.5)
      .strokeColor('#cccccc')
      .stroke();
    doc.y += 6;
  }

  /** The text cut with "…" so it fits `width` points in the current font. */
  private fit(text: string, width: number): string {
    const { doc } = this;
    const fits = (candidate: string): boolean => doc.widthOfString(candidate) <= width + 0.01;
    if (fits(text)) return text;
    const chars = Array.from(text);
    let lo = 0;
    let hi = chars.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(`${chars.slice(0, mid).join('')}…`)) lo = mid;
      else hi = mid - 1;
    }
    return `${chars.slice(0, lo).join('')}…`;
  }

  /** Column widths: natural widths when they fit, else narrow columns kept and wide ones shared. */
  private columnWidths(cells: string[][], bold: boolean[]): number[] {
    const { doc } = this;
    const columns = cells[0]?.length ?? 0;
    const natural = Array.from({ length: columns }, (_, col) =>
      Math.max(
        ...cells.map((row, r) => {
          doc.font(bold[r] ? FONT.bold : FONT.regular).fontSize(TABLE_SIZE);
          return doc.widthOfString(row[col] ?? '') + 2 * CELL_PAD + 1;
        }),
      ),
    );
    let budget = this.width;
    const widths = new Array<number>(columns).fill(0);
    let open = natural.map((_, i) => i);
    // Columns narrower than an equal share keep their natural width; the rest share what remains.
    for (;;) {
      const share = budget / Math.max(1, open.length);
      const small = open.filter((i) => natural[i] <= share);
      if (small.length === 0) break;
      for (const i of small) {
        widths[i] = natural[i];
        budget -= natural[i];
      }
      open = open.filter((i) => natural[i] > share);
    }
    const wanted = open.reduce((sum, i) => sum + natural[i], 0);
    for (const i of open) widths[i] = (natural[i] / wanted) * budget;
    return widths;
  }

  table(block: TableBlock): void {
    const { doc } = this;
    const cells = [block.headers, ...block.rows].map((row) =>
      row.map((c) => toWinAnsi(oneLine(c))),
    );
    const bold = cells.map((_, i) => i === 0);
    const widths = this.columnWidths(cells, bold);
    const rowHeight = TABLE_SIZE * 1.25 + 2 * 2.5;

    this.ensure(rowHeight * Math.min(3, cells.length) + 16);
    this.paragraph(block.caption, { font: FONT.bold, size: 9, color: '#444444', gap: 3 });

    const drawRow = (row: string[], header: boolean, stripe: boolean): void => {
      const y = doc.y;
      if (header || stripe) {
        doc
          .rect(
            this.left,
            y,
            widths.reduce((a, b) => a + b, 0),
            rowHeight,
          )
          .fill(header ? '#ececec' : '#f7f7f7');
      }
      let x = this.left;
      row.forEach((cell, col) => {
        doc
          .font(header ? FONT.bold : FONT.regular)
          .fontSize(TABLE_SIZE)
          .fillColor('#222222');
        const inner = widths[col] - 2 * CELL_PAD;
        const text = this.fit(cell, inner);
        const right = !header && block.align[col] === 'right';
        const offset = right ? inner - doc.widthOfString(text) : 0;
        doc.text(text, x + CELL_PAD + offset, y + 2.5, { lineBreak: false });
        x += widths[col];
      });
      doc.x = this.left;
      doc.y = y + rowHeight;
    };

    drawRow(cells[0], true, false);
    cells.slice(1).forEach((row, index) => {
      if (doc.y + rowHeight > this.bottom) {
        doc.addPage();
        drawRow(cells[0], true, false);
      }
      drawRow(row, false, index % 2 === 1);
    });
    doc.y += 10;
  }

  private shape(shape: Shape): void {
    const { doc } = this;
    switch (shape.type) {
      case 'rect':
        doc
          .fillOpacity(shape.opacity ?? 1)
          .rect(shape.x, shape.y, shape.width, shape.height)
          .fill(shape.fill);
        doc.fillOpacity(1);
        return;
      case 'circle':
        doc
          .fillOpacity(shape.opacity ?? 1)
          .circle(shape.cx, shape.cy, shape.r)
          .fill(shape.fill);
        doc.fillOpacity(1);
        return;
      case 'line':
        doc.moveTo(shape.x1, shape.y1).lineTo(shape.x2, shape.y2).lineWidth(shape.width);
        if (shape.dash) doc.dash(shape.dash[0], { space: shape.dash[1] });
        doc.strokeColor(shape.stroke).stroke();
        doc.undash();
        return;
      case 'text': {
        const text = toWinAnsi(shape.text);
        doc
          .font(shape.bold ? FONT.bold : FONT.regular)
          .fontSize(shape.size)
          .fillColor(shape.fill);
        const width = doc.widthOfString(text);
        const x =
          shape.anchor === 'middle'
            ? shape.x - width / 2
            : shape.anchor === 'end'
              ? shape.x - width
              : shape.x;
        doc.save();
        if (shape.rotate) doc.rotate(shape.rotate, { origin: [shape.x, shape.y] });
        doc.text(text, x, shape.y, { lineBreak: false, baseline: 'alphabetic' });
        doc.restore();
        return;
      }
    }
  }

  chart(scene: ChartScene): void {
    const { doc } = this;
    const scale = Math.min(1, this.width / scene.width);
    const height = scene.height * scale;
    this.ensure(height + 20);
    this.paragraph(scene.title, { font: FONT.bold, size: 9, color: '#444444', gap: 3 });
    const top = doc.y;
    doc.save();
    doc.translate(this.left, top).scale(scale);
    for (const shape of scene.shapes) this.shape(shape);
    doc.restore();
    doc.x = this.left;
    doc.y = top + height + 10;
  }

  private labelled(label: string, text: string, font: string = FONT.mono): void {
    this.paragraph(label, { font: FONT.bold, size: 8.5, color: GREY, gap: 1 });
    this.paragraph(truncate(text, PDF_TEXT_LIMIT), { font, size: 8.5, gap: 5 });
  }

  cases(block: CasesBlock): void {
    this.paragraph(block.caption, { size: 9, color: '#444444', gap: 6 });
    block.cases.forEach((c: CaseView) => {
      this.ensure(90);
      this.paragraph(c.title, { font: FONT.bold, size: 10.5, gap: 1 });
      this.paragraph(
        [
          `status ${c.status}`,
          c.passed,
          `score ${c.score}`,
          `latency ${c.latency}`,
          `cost ${c.cost}`,
        ].join('  ·  '),
        { size: 8.5, color: GREY, gap: 4 },
      );
      this.labelled('Output', c.output);
      this.labelled('Expected', c.expected);
      if (c.error) this.labelled('Error', c.error);
      this.labelled('Inputs', c.inputs);
      this.doc.y += 6;
    });
  }

  block(block: Block): void {
    switch (block.kind) {
      case 'table':
        return this.table(block);
      case 'text':
        return block.strong
          ? this.paragraph(block.text, { font: FONT.bold, size: 11.5, gap: 8 })
          : this.paragraph(block.text, { gap: 8 });
      case 'chart':
        return this.chart(block.chart);
      case 'cases':
        return this.cases(block);
    }
  }

  /** "Page n of m" at the bottom of every page (needs `bufferPages`). */
  footer(title: string): void {
    const { doc } = this;
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i += 1) {
      doc.switchToPage(i);
      const bottomMargin = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc.font(FONT.regular).fontSize(7.5).fillColor('#888888');
      const y = doc.page.height - MARGIN / 2 - 4;
      doc.text(this.fit(toWinAnsi(title), this.width - 80), this.left, y, { lineBreak: false });
      const page = `Page ${i + 1 - range.start} of ${range.count}`;
      doc.text(page, this.left + this.width - doc.widthOfString(page), y, { lineBreak: false });
      doc.page.margins.bottom = bottomMargin;
    }
  }
}

export function renderPdf(report: Report): Promise<Buffer> {
  const view = buildView(report);
  const created = new Date(report.generated_at);
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    displayTitle: true,
    lang: 'en',
    info: {
      Title: toWinAnsi(view.title),
      Subject: report.kind === 'evaluation' ? 'Evaluation report' : 'Comparison report',
      Creator: 'Prompt Studio',
      CreationDate: Number.isNaN(created.getTime()) ? new Date() : created,
    },
  });
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Uint8Array) =>
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)),
    );
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    try {
      const writer = new PdfWriter(doc);
      writer.title(view.title, view.subtitle, view.generatedAt);
      for (const section of view.sections) {
        writer.heading(section.heading);
        for (const block of section.blocks) writer.block(block);
      }
      writer.footer(view.title);
      doc.end();
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
