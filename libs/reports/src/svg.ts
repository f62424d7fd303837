/** Serializes a chart scene to an inline, accessible SVG element. */
import type { ChartScene, Shape } from './charts';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML/SVG element content and quoted attribute values. Also drops characters
 * that are not allowed in XML documents (C0 controls except tab/newline/CR, lone surrogates,
 * U+FFFE/U+FFFF), so the inline SVG stays well-formed whatever a model produced.
 */
export function escapeHtml(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** Anything outside XML 1.0's `Char` production (lone surrogates included, thanks to /u). */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** A coordinate with at most two decimals. */
function n(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function tip(text: string | undefined): string {
  return text ? `<title>${escapeHtml(text)}</title>` : '';
}

function shapeSvg(shape: Shape): string {
  switch (shape.type) {
    case 'rect': {
      const opacity = shape.opacity === undefined ? '' : ` fill-opacity="${n(shape.opacity)}"`;
      const attrs = `x="${n(shape.x)}" y="${n(shape.y)}" width="${n(shape.width)}" height="${n(shape.height)}" fill="${shape.fill}"${opacity}`;
      return shape.tip ? `<rect ${attrs}>${tip(shape.tip)}</rect>` : `<rect ${attrs}/>`;
    }
    case 'line': {
      const dash = shape.dash ? ` stroke-dasharray="${shape.dash.map(n).join(' ')}"` : '';
      return `<line x1="${n(shape.x1)}" y1="${n(shape.y1)}" x2="${n(shape.x2)}" y2="${n(shape.y2)}" stroke="${shape.stroke}" stroke-width="${n(shape.width)}"${dash}/>`;
    }
    case 'circle': {
      const opacity = shape.opacity === undefined ? '' : ` fill-opacity="${n(shape.opacity)}"`;
      const attrs = `cx="${n(shape.cx)}" cy="${n(shape.cy)}" r="${n(shape.r)}" fill="${shape.fill}"${opacity}`;
      return shape.tip ? `<circle ${attrs}>${tip(shape.tip)}</circle>` : `<circle ${attrs}/>`;
    }
    case 'text': {
      const rotate = shape.rotate
        ? ` transform="rotate(${n(shape.rotate)} ${n(shape.x)} ${n(shape.y)})"`
        : '';
      const weight = shape.bold ? ' font-weight="bold"' : '';
      return `<text x="${n(shape.x)}" y="${n(shape.y)}" font-size="${n(shape.size)}" text-anchor="${shape.anchor}" fill="${shape.fill}"${weight}${rotate}>${escapeHtml(shape.text)}</text>`;
    }
  }
}

/** The chart as an `<svg>` element with `<title>` and `<desc>`, scaling to its container. */
export function renderSvg(scene: ChartScene): string {
  const titleId = `${scene.id}-title`;
  const descId = `${scene.id}-desc`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="${scene.id}" role="img" aria-labelledby="${titleId} ${descId}" viewBox="0 0 ${scene.width} ${scene.height}" width="${scene.width}" height="${scene.height}" font-family="Helvetica, Arial, sans-serif">`,
    `<title id="${titleId}">${escapeHtml(scene.title)}</title>`,
    `<desc id="${descId}">${escapeHtml(scene.description)}</desc>`,
    ...scene.shapes.map(shapeSvg),
    '</svg>',
  ].join('\n');
}
