// A small line chart written as a PNG with node:zlib alone (no canvas, no browser, no native build): the
// append rate against the store's size in BENCHMARKS.md. Text is drawn with a 5×7 bitmap font (upper case,
// digits and a few signs), enough for axis ticks, labels and a legend.
import { deflateSync } from 'node:zlib'

export interface Series {
  readonly name: string
  /** RGB, 0–255 each. */
  readonly color: readonly [number, number, number]
  readonly points: ReadonlyArray<readonly [number, number]>
}

export interface Chart {
  readonly title: string
  readonly xLabel: string
  readonly yLabel: string
  readonly series: ReadonlyArray<Series>
  readonly width?: number
  readonly height?: number
}

// 5×7 glyphs, one string of 7 rows of 5 bits each (row-major, '1' = ink).
const glyphs: Record<string, string> = {
  '0': '01110100011001110101110011000101110',
  '1': '00100011000010000100001000010001110',
  '2': '01110100010000100010001000100011111',
  '3': '11111000100010000010000011000101110',
  '4': '00010001100101010010111110001000010',
  '5': '11111100001111000001000011000101110',
  '6': '00110010001000011110100011000101110',
  '7': '11111000010001000100010000100001000',
  '8': '01110100011000101110100011000101110',
  '9': '01110100011000101111000010001001100',
  A: '01110100011000111111100011000110001',
  B: '11110100011000111110100011000111110',
  C: '01110100011000010000100001000101110',
  D: '11100100101000110001100011001011100',
  E: '11111100001000011110100001000011111',
  F: '11111100001000011110100001000010000',
  G: '01110100011000010111100011000101111',
  H: '10001100011000111111100011000110001',
  I: '01110001000010000100001000010001110',
  J: '00111000100001000010000101001001100',
  K: '10001100101010011000101001001010001',
  L: '10000100001000010000100001000011111',
  M: '10001110111010110101100011000110001',
  N: '10001100011100110101100111000110001',
  O: '01110100011000110001100011000101110',
  P: '11110100011000111110100001000010000',
  Q: '01110100011000110001101011001001101',
  R: '11110100011000111110101001001010001',
  S: '01111100001000001110000010000111110',
  T: '11111001000010000100001000010000100',
  U: '10001100011000110001100011000101110',
  V: '10001100011000110001100010101000100',
  W: '10001100011000110101101011010101010',
  X: '10001100010101000100010101000110001',
  Y: '10001100011000101010001000010000100',
  Z: '11111000010001000100010001000011111',
  ' ': '00000000000000000000000000000000000',
  '.': '00000000000000000000000000110001100',
  ',': '00000000000000000110001000100000000',
  '/': '00001000010001000100010001000010000',
  '-': '00000000000000011111000000000000000',
  '(': '00010001000100001000010000010000010',
  ')': '01000001000001000010000100010001000',
  ':': '00000011000110000000011000110000000',
  '%': '11000110010001000100010001001100011',
  '=': '00000000001111100000111110000000000',
  '+': '00000001000010011111001000010000000',
  _: '00000000000000000000000000000011111',
}

/** A PNG of the chart: white ground, grid, axes with ticks, one polyline per series, a legend. */
export const linePlot = (chart: Chart): Buffer => {
  const W = chart.width ?? 900
  const H = chart.height ?? 500
  const px = Buffer.alloc(W * H * 3, 255)
  const set = (x: number, y: number, c: readonly [number, number, number]) => {
    if (x < 0 || y < 0 || x >= W || y >= H) return
    const i = (Math.round(y) * W + Math.round(x)) * 3
    px[i] = c[0]
    px[i + 1] = c[1]
    px[i + 2] = c[2]
  }
  const line = (x0: number, y0: number, x1: number, y1: number, c: readonly [number, number, number], thick = 1) => {
    const n = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1)
    for (let k = 0; k <= n; k++) {
      const x = x0 + ((x1 - x0) * k) / n
      const y = y0 + ((y1 - y0) * k) / n
      for (let dx = 0; dx < thick; dx++) for (let dy = 0; dy < thick; dy++) set(x + dx - (thick >> 1), y + dy - (thick >> 1), c)
    }
  }
  const text = (s: string, x: number, y: number, c: readonly [number, number, number] = [0, 0, 0], scale = 2) => {
    let cx = x
    for (const ch of s.toUpperCase()) {
      const g = glyphs[ch] ?? glyphs[' ']!
      for (let r = 0; r < 7; r++)
        for (let col = 0; col < 5; col++)
          if (g[r * 5 + col] === '1') for (let a = 0; a < scale; a++) for (let b = 0; b < scale; b++) set(cx + col * scale + a, y + r * scale + b, c)
      cx += 6 * scale
    }
  }
  const textWidth = (s: string, scale = 2) => s.length * 6 * scale

  const all = chart.series.flatMap((s) => s.points)
  const xMax = niceCeil(Math.max(1, ...all.map((p) => p[0])))
  const yMax = niceCeil(Math.max(1, ...all.map((p) => p[1])) * 1.1)
  const left = 100
  const right = W - 30
  const top = 60
  const bottom = H - 70
  const X = (x: number) => left + ((right - left) * x) / xMax
  const Y = (y: number) => bottom - ((bottom - top) * y) / yMax
  const grey: [number, number, number] = [220, 220, 220]
  for (let k = 0; k <= 5; k++) {
    const yv = (yMax * k) / 5
    line(left, Y(yv), right, Y(yv), grey)
    const label = short(yv)
    text(label, left - 10 - textWidth(label), Y(yv) - 7)
    const xv = (xMax * k) / 5
    line(X(xv), top, X(xv), bottom, grey)
    const xl = short(xv)
    text(xl, X(xv) - textWidth(xl) / 2, bottom + 10)
  }
  line(left, top, left, bottom, [0, 0, 0])
  line(left, bottom, right, bottom, [0, 0, 0])
  text(chart.title, left, 8, [0, 0, 0])
  text(chart.xLabel, (left + right) / 2 - textWidth(chart.xLabel) / 2, bottom + 40)
  text(chart.yLabel, 10, top - 24, [80, 80, 80])
  chart.series.forEach((s, k) => {
    for (let i = 1; i < s.points.length; i++) {
      const a = s.points[i - 1]!
      const b = s.points[i]!
      line(X(a[0]), Y(a[1]), X(b[0]), Y(b[1]), s.color, 3)
    }
    for (const p of s.points) for (let a = -3; a <= 3; a++) line(X(p[0]) - 3, Y(p[1]) + a, X(p[0]) + 3, Y(p[1]) + a, s.color)
    const ly = top + 10 + k * 22
    line(right - 330, ly + 7, right - 300, ly + 7, s.color, 3)
    text(s.name, right - 290, ly, [0, 0, 0])
  })
  return png(W, H, px)
}

/** 1, 2 or 5 times a power of ten, at least `v`. */
const niceCeil = (v: number): number => {
  const p = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p
  return 10 * p
}

const short = (v: number): string => (v >= 1e6 ? `${+(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${+(v / 1e3).toFixed(1)}K` : `${+v.toFixed(1)}`)

/** An 8-bit RGB PNG: signature, IHDR, one zlib IDAT of the filtered (filter 0) rows, IEND. */
export const png = (width: number, height: number, rgb: Buffer): Buffer => {
  const raw = Buffer.alloc((width * 3 + 1) * height)
  for (let y = 0; y < height; y++) rgb.copy(raw, y * (width * 3 + 1) + 1, y * width * 3, (y + 1) * width * 3)
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // colour type: RGB
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

const chunk = (type: string, data: Buffer): Buffer => {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'ascii')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = (b: Buffer): number => {
  let c = 0xffffffff
  for (const byte of b) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
