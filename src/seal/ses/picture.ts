/**
 * A generated seal picture for demo and test seals: a round red seal (圆形印章) with a five-pointed star
 * in the centre and the organisation's name along the upper rim, drawn as SVG and rasterised to PNG
 * by resvg (`@resvg/resvg-js`, loaded only when a picture is rendered).
 *
 * Limitation: the name is drawn with fonts, not outlines. resvg uses the system fonts plus any
 * `fontFiles` given; when no installed font has CJK glyphs (check `fc-list :lang=zh`), each Chinese
 * character is drawn as the same missing-glyph box (the ring and star are still drawn). Install a CJK
 * font (e.g. Debian `fonts-wqy-zenhei`, which `.ci/run` installs, or `fonts-noto-cjk`) or pass
 * `fontFiles`. The picture is decoration:
 * it is covered by the maker's signature but carries no security meaning.
 */
import { EvoucherError } from '../../errors.js';

/** Options of {@link renderSealPng}. */
export interface RenderSealPngOptions {
  /** Width and height of the PNG in pixels (default 472: 40 mm at 300 dpi). 64..4096. */
  readonly sizePx?: number;
  /** Ink colour (default `#d40000`). A CSS hex colour. */
  readonly color?: string;
  /** Text under the star (e.g. `财务专用章`); default none. */
  readonly footer?: string;
  /** Extra font files (TTF/OTF/TTC) to load, e.g. a CJK font. */
  readonly fontFiles?: readonly string[];
}

/** Font families tried in order; the first one present that has a glyph draws it. */
const FONT_FAMILIES = [
  'Noto Serif CJK SC', 'Noto Sans CJK SC', 'Source Han Serif SC', 'Source Han Sans SC', 'WenQuanYi Zen Hei',
  'WenQuanYi Micro Hei', 'AR PL UMing CN', 'SimSun', 'SimHei', 'DejaVu Sans', 'sans-serif',
];

const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Builds the SVG of a round seal on a 200 × 200 user-unit canvas.
 *
 * @param name - the organisation's name, drawn clockwise along the upper rim.
 * @param options - colour and footer.
 * @returns the SVG text.
 * @throws EvoucherError `ARG_INVALID` on an empty name or a bad colour.
 * @example const svg = sealSvg('示例预算单位');
 */
export function sealSvg(name: string, options: Pick<RenderSealPngOptions, 'color' | 'footer'> = {}): string {
  if (typeof options !== 'object' || options === null) throw new EvoucherError('ARG_INVALID', 'picture: options must be an object');
  if (typeof name !== 'string') throw new EvoucherError('ARG_INVALID', 'picture: the name must be a string');
  if (options.footer !== undefined && typeof options.footer !== 'string') throw new EvoucherError('ARG_INVALID', 'picture: the footer must be a string');
  // Only a missing colour is the default red: `null` is refused, not read as left out.
  const color = options.color === undefined ? '#d40000' : options.color;
  if (typeof color !== 'string' || !/^#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$/.test(color)) throw new EvoucherError('ARG_INVALID', 'picture: color must be a hex colour like #d40000');
  const chars = Array.from(name.trim());
  if (chars.length === 0 || chars.length > 40) throw new EvoucherError('ARG_INVALID', 'picture: the name must have 1..40 characters');
  // SVG (XML 1.0) cannot carry control characters, not even escaped: named here rather than as a renderer failure.
  for (const text of [name, options.footer ?? '']) {
    const bad = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/.exec(text);
    if (bad !== null) throw new EvoucherError('ARG_INVALID', `picture: a name or footer may not hold the control character U+${(bad[0].codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
  }
  const family = FONT_FAMILIES.map((f) => (f.includes(' ') ? `'${f}'` : f)).join(', ');
  // The name spans up to 240 degrees of the rim, centred on the top; characters are placed one by one
  // and rotated about the centre so each stands upright on the tangent.
  const textRadius = 68;
  const span = Math.min(240, chars.length * 34);
  const step = chars.length > 1 ? span / (chars.length - 1) : 0;
  const fontSize = Math.min(28, ((textRadius * Math.PI * span) / 180 / chars.length) * 0.92 || 28);
  const letters = chars.map((c, i) => {
    const angle = -span / 2 + i * step;
    return `<text x="100" y="${(100 - textRadius).toFixed(2)}" font-size="${fontSize.toFixed(2)}" text-anchor="middle" `
      + `transform="rotate(${angle.toFixed(3)} 100 100)">${escapeXml(c)}</text>`;
  }).join('');
  // A five-pointed star: outer radius 30, inner radius 30 * sin(18°) / sin(126°).
  const inner = (30 * Math.sin(Math.PI / 10)) / Math.sin((7 * Math.PI) / 10);
  const star = Array.from({ length: 10 }, (_, k) => {
    const r = k % 2 === 0 ? 30 : inner;
    const a = -Math.PI / 2 + (k * Math.PI) / 5;
    return `${(100 + r * Math.cos(a)).toFixed(3)},${(100 + r * Math.sin(a)).toFixed(3)}`;
  }).join(' ');
  const footer = options.footer === undefined || options.footer.trim() === ''
    ? ''
    : `<text x="100" y="158" font-size="16" text-anchor="middle">${escapeXml(options.footer.trim())}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200">`
    + `<circle cx="100" cy="100" r="94" fill="none" stroke="${color}" stroke-width="6"/>`
    + `<polygon points="${star}" fill="${color}"/>`
    + `<g fill="${color}" font-family="${family}" font-weight="bold">${letters}${footer}</g>`
    + `</svg>`;
}

/**
 * Renders a round red seal picture as PNG (transparent background), for demo and test seals.
 *
 * @param name - the organisation's name.
 * @param options - size, colour, footer text, extra font files.
 * @returns the PNG bytes, `sizePx` × `sizePx`.
 * @throws EvoucherError `ARG_INVALID` (empty name, bad size or colour, `fontFiles` not an array of names), `ARG_IO` (the renderer or a font
 *   file could not be loaded).
 * @example
 * const png = await renderSealPng('示例预算单位', { sizePx: 320 });
 */
export async function renderSealPng(name: string, options: RenderSealPngOptions = {}): Promise<Uint8Array> {
  if (typeof options !== 'object' || options === null) throw new EvoucherError('ARG_INVALID', 'picture: options must be an object');
  const size = options.sizePx === undefined ? 472 : options.sizePx;
  if (!Number.isInteger(size) || size < 64 || size > 4096) throw new EvoucherError('ARG_INVALID', 'picture: sizePx must be an integer in 64..4096', { detail: { option: 'sizePx' } });
  // One string would be read letter by letter as file names; `null` as none.
  const fontFiles = options.fontFiles;
  if (fontFiles !== undefined && !(Array.isArray(fontFiles) && fontFiles.every((f) => typeof f === 'string'))) {
    throw new EvoucherError('ARG_INVALID', 'picture: fontFiles must be an array of file names, or left out', { detail: { option: 'fontFiles' } });
  }
  const svg = sealSvg(name, options);
  let Resvg: typeof import('@resvg/resvg-js').Resvg;
  try {
    ({ Resvg } = await import('@resvg/resvg-js'));
  } catch (e) {
    throw new EvoucherError('ARG_IO', 'picture: the SVG renderer @resvg/resvg-js cannot be loaded', { cause: e });
  }
  try {
    const r = new Resvg(svg, {
      fitTo: { mode: 'width', value: size },
      font: { loadSystemFonts: true, fontFiles: [...(fontFiles ?? [])], defaultFontFamily: 'DejaVu Sans' },
    });
    return new Uint8Array(r.render().asPng());
  } catch (e) {
    throw new EvoucherError('ARG_IO', 'picture: rendering failed', { cause: e });
  }
}
