import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { renderSealPng, sealSvg } from '../../../src/seal/ses/index.js';
import { codeOf, codeOfAsync } from './helpers.js';

describe('renderSealPng', () => {
  it('renders a decodable PNG of the requested size: red ring and star on a transparent background', async () => {
    for (const size of [320, 472]) {
      const png = PNG.sync.read(Buffer.from(await renderSealPng('示例预算单位', { sizePx: size })));
      expect([png.width, png.height]).toEqual([size, size]);
      const px = (x: number, y: number): number[] => {
        const i = (Math.round(y) * png.width + Math.round(x)) * 4;
        return [...png.data.subarray(i, i + 4)];
      };
      // Corner: transparent. Centre (the star): opaque red. The ring at the left edge: red.
      expect(px(2, 2)[3]).toBe(0);
      const [r, g, b, a] = px(size / 2, size / 2) as [number, number, number, number];
      expect(a).toBeGreaterThan(200);
      expect(r).toBeGreaterThan(180);
      expect(g + b).toBeLessThan(60);
      const ring = px((6 / 200) * size, size / 2);
      expect(ring[3]).toBeGreaterThan(200);
      expect(ring[0]).toBeGreaterThan(180);
    }
  });

  it('draws the name\'s own glyphs when a CJK font is installed (CI installs one and requires it)', async (ctx) => {
    // Two names of the same length that differ in every character. With a CJK font their rims differ;
    // without one each character is the same missing-glyph box and the two pictures are identical.
    const size = 400;
    const rim = async (name: string): Promise<Buffer> => {
      const png = PNG.sync.read(Buffer.from(await renderSealPng(name, { sizePx: size })));
      const alpha: number[] = [];
      for (let y = 0; y < size / 2; y++) {
        for (let x = 0; x < size; x++) {
          // The band of the upper rim that only the name reaches: between the star (radius 30) and the
          // ring (radius 91..97), in 200-unit canvas coordinates.
          const d = Math.hypot(x - size / 2, y - size / 2) * (200 / size);
          if (d > 60 && d < 90) alpha.push(png.data[(y * size + x) * 4 + 3] ?? 0);
        }
      }
      return Buffer.from(alpha);
    };
    const a = await rim('示例预算单位');
    const b = await rim('财政国库支付');
    expect(a.some((v) => v > 128)).toBe(true);
    if (a.equals(b) && process.env['EVOUCHER_REQUIRE_CJK_FONT'] !== '1') {
      ctx.skip('no installed font has CJK glyphs (install fonts-wqy-zenhei or fonts-noto-cjk)');
    }
    expect(a.equals(b)).toBe(false);
  });

  it('places one glyph per character along the rim and escapes markup', () => {
    const svg = sealSvg('A<&>B');
    expect(svg.match(/<text /g)?.length).toBe(5);
    expect(svg).toContain('&#60;');
    expect(svg).not.toContain('<&>');
    expect(sealSvg('财政局', { footer: '财务专用章' }).match(/<text /g)?.length).toBe(4);
  });

  it('refuses bad arguments with ARG_INVALID', async () => {
    expect(await codeOfAsync(() => renderSealPng(''))).toBe('ARG_INVALID');
    expect(await codeOfAsync(() => renderSealPng('x', { sizePx: 10 }))).toBe('ARG_INVALID');
    expect(codeOf(() => sealSvg('x', { color: 'red"/><script' }))).toBe('ARG_INVALID');
    // A control character is named as such (it was a renderer failure, ARG_IO).
    expect(codeOf(() => sealSvg('a\u001b[31m'))).toBe('ARG_INVALID');
    expect(codeOf(() => sealSvg('a', { footer: 'b\u0000' }))).toBe('ARG_INVALID');
  });
});
