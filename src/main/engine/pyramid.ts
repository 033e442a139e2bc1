/**
 * Gaussian and Laplacian pyramids of small float images, in plain typed arrays: the
 * prototype age layer (prototype-layer.ts) and its builder (scripts/build-prototypes.ts)
 * split faces into detail bands with these. Images are interleaved, `channels` values
 * per pixel, row-major.
 *
 * Reduce is the 5-tap binomial filter (1 4 6 4 1)/16 then every second pixel (Burt &
 * Adelson 1983); expand is bilinear interpolation between pixel centres. A Laplacian
 * band is G_b - expand(G_{b+1}), so collapsing the bands with the same expand gives the
 * image back exactly, whatever expand is.
 */

export interface Planes {
  width: number;
  height: number;
  channels: number;
  data: Float32Array;
}

export function planes(width: number, height: number, channels: number, data?: Float32Array): Planes {
  const n = width * height * channels;
  if (data && data.length !== n)
    throw new Error(`image of ${width}x${height}x${channels} needs ${n} values, got ${data.length}`);
  return { width, height, channels, data: data ?? new Float32Array(n) };
}

const TAPS = [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16];

/** The 5-tap filter along one axis (dx, dy one of them 1), edges clamped. */
function blurAxis(img: Planes, dx: number, dy: number): Float32Array {
  const { width: w, height: h, channels: c, data } = img;
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++) {
        let s = 0;
        for (let t = -2; t <= 2; t++) {
          const xx = Math.min(w - 1, Math.max(0, x + t * dx));
          const yy = Math.min(h - 1, Math.max(0, y + t * dy));
          s += TAPS[t + 2]! * data[(yy * w + xx) * c + k]!;
        }
        out[(y * w + x) * c + k] = s;
      }
  return out;
}

/** Separable 5-tap binomial blur, edges clamped. */
export function blur(img: Planes): Planes {
  const across = { ...img, data: blurAxis(img, 1, 0) };
  return { ...img, data: blurAxis(across, 0, 1) };
}

/** Blur, then keep every second pixel: half the size (rounded up). */
export function reduce(img: Planes): Planes {
  const b = blur(img);
  const w = Math.ceil(img.width / 2);
  const h = Math.ceil(img.height / 2);
  const c = img.channels;
  const out = new Float32Array(w * h * c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++) out[(y * w + x) * c + k] = b.data[(2 * y * b.width + 2 * x) * c + k]!;
  return { width: w, height: h, channels: c, data: out };
}

/**
 * Bilinear sample at continuous (x, y), pixel centres at +0.5, edges clamped; writes
 * `channels` values into `out` at `at`.
 */
export function sampleBilinear(img: Planes, x: number, y: number, out: Float32Array, at: number): void {
  const { width: w, height: h, channels: c, data } = img;
  const fx = Math.min(Math.max(x - 0.5, 0), w - 1);
  const fy = Math.min(Math.max(y - 0.5, 0), h - 1);
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const ax = fx - x0;
  const ay = fy - y0;
  for (let k = 0; k < c; k++) {
    const top = data[(y0 * w + x0) * c + k]! * (1 - ax) + data[(y0 * w + x1) * c + k]! * ax;
    const bottom = data[(y1 * w + x0) * c + k]! * (1 - ax) + data[(y1 * w + x1) * c + k]! * ax;
    out[at + k] = top * (1 - ay) + bottom * ay;
  }
}

/** Resize to width x height by bilinear interpolation: the pyramid's expand. */
export function expand(img: Planes, width: number, height: number): Planes {
  const out = new Float32Array(width * height * img.channels);
  const sx = img.width / width;
  const sy = img.height / height;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      sampleBilinear(img, (x + 0.5) * sx, (y + 0.5) * sy, out, (y * width + x) * img.channels);
  return { width, height, channels: img.channels, data: out };
}

/** The image at `levels + 1` scales: index 0 is the image itself. */
export function gaussianPyramid(img: Planes, levels: number): Planes[] {
  const out = [img];
  for (let b = 0; b < levels; b++) out.push(reduce(out[b]!));
  return out;
}

/** `levels` detail bands (finest first) and the low-pass residual last. */
export function laplacianPyramid(img: Planes, levels: number): Planes[] {
  const g = gaussianPyramid(img, levels);
  const bands: Planes[] = [];
  for (let b = 0; b < levels; b++) {
    const up = expand(g[b + 1]!, g[b]!.width, g[b]!.height);
    const d = new Float32Array(g[b]!.data.length);
    for (let i = 0; i < d.length; i++) d[i] = g[b]!.data[i]! - up.data[i]!;
    bands.push({ ...g[b]!, data: d });
  }
  bands.push(g[levels]!);
  return bands;
}

/** Sum a pyramid back into one image (the inverse of laplacianPyramid). */
export function collapse(pyramid: readonly Planes[]): Planes {
  let acc = pyramid[pyramid.length - 1]!;
  for (let b = pyramid.length - 2; b >= 0; b--) {
    const band = pyramid[b]!;
    const up = expand(acc, band.width, band.height);
    const d = new Float32Array(band.data.length);
    for (let i = 0; i < d.length; i++) d[i] = band.data[i]! + up.data[i]!;
    acc = { ...band, data: d };
  }
  return acc;
}

/** Rec.709 luma of an RGB image, one channel. */
export function luma(img: Planes): Planes {
  if (img.channels !== 3) throw new Error(`luma needs RGB, got ${img.channels} channels`);
  const n = img.width * img.height;
  const out = new Float32Array(n);
  for (let p = 0; p < n; p++)
    out[p] = 0.2126 * img.data[3 * p]! + 0.7152 * img.data[3 * p + 1]! + 0.0722 * img.data[3 * p + 2]!;
  return { width: img.width, height: img.height, channels: 1, data: out };
}

/**
 * Local detail energy of a band: its luma squared, smoothed over a neighbourhood of a
 * few pixels at the band's own scale. The square root of its mean over faces is a
 * prototype's detail amplitude at that band and place (Tiddeman et al. 2001).
 */
export function localEnergy(band: Planes): Planes {
  const l = band.channels === 1 ? band : luma(band);
  const sq = new Float32Array(l.data.length);
  for (let i = 0; i < sq.length; i++) sq[i] = l.data[i]! * l.data[i]!;
  return blur(blur({ ...l, data: sq }));
}
