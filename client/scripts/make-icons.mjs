// Generates the tab bar icons (81x81 RGBA PNG) into src/assets/tabbar/ with no dependencies:
// shapes are signed-distance functions, 4x4 supersampled, encoded with node:zlib.
// Run: node client/scripts/make-icons.mjs   (the PNGs are committed; rerun only to change them)
import { deflateSync } from 'node:zlib'
import { writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const SIZE = 81
const STROKE = 5.5
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'assets', 'tabbar')

const COLORS = { normal: [0x99, 0x99, 0x99], active: [0x07, 0xc1, 0x60] }

// --- signed distance helpers (negative inside) ---
const len = (x, y) => Math.hypot(x, y)
const circle = (cx, cy, r) => (x, y) => len(x - cx, y - cy) - r
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2
  const hx = (x1 - x0) / 2 - r, hy = (y1 - y0) / 2 - r
  const qx = Math.abs(x - cx) - hx, qy = Math.abs(y - cy) - hy
  return len(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r
}
const segment = (ax, ay, bx, by) => (x, y) => {
  const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)))
  return len(px - dx * t, py - dy * t)
}
const outline = (sdf, w = STROKE) => (x, y) => Math.abs(sdf(x, y)) - w / 2
const line = (seg, w = STROKE) => (x, y) => seg(x, y) - w / 2
const union = (...fs) => (x, y) => Math.min(...fs.map((f) => f(x, y)))
const intersect = (...fs) => (x, y) => Math.max(...fs.map((f) => f(x, y)))
const halfPlane = (nx, ny, c) => (x, y) => nx * x + ny * y - c // inside where nx*x+ny*y < c

// 商城: a shopping bag with a handle
const mall = union(
  outline(roundRect(17, 30, 64, 69, 6)),
  intersect(outline(circle(40.5, 30, 11)), halfPlane(0, 1, 30)),
)
// 排队: a numbered list — dots and bars
const queue = union(
  ...[24, 40.5, 57].map((y) => (x, yy) => circle(19, y, 4.5)(x, yy)),
  ...[24, 40.5, 57].map((y) => line(segment(31, y, 64, y))),
)
// 绿色积分: a leaf (lens of two circles) with a vein
const R = 30
const leaf = union(
  outline(intersect(circle(40.5 - 14, 40.5 - 14, R), circle(40.5 + 14, 40.5 + 14, R))),
  line(segment(19, 62, 49, 32), 4),
)
// 我的: a person — head and shoulders
const me = union(
  outline(circle(40.5, 28, 11.5)),
  intersect(outline(circle(40.5, 72, 24)), halfPlane(0, 1, 68)),
  line(segment(16.5, 68, 64.5, 68), STROKE),
)

function render(sdf, rgb) {
  const SS = 4
  const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1))
  for (let y = 0; y < SIZE; y++) {
    raw[y * (SIZE * 4 + 1)] = 0 // filter: none
    for (let x = 0; x < SIZE; x++) {
      // pixel (x, y) of the icon
      let cover = 0
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          if (sdf(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS) <= 0) cover++
        }
      }
      const o = y * (SIZE * 4 + 1) + 1 + x * 4
      raw[o] = rgb[0]; raw[o + 1] = rgb[1]; raw[o + 2] = rgb[2]
      raw[o + 3] = Math.round((cover / (SS * SS)) * 255)
    }
  }
  return encodePng(raw)
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td))
  return Buffer.concat([len, td, crc])
}
function encodePng(raw, w = SIZE, h = SIZE) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0 // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

const ICONS = { mall, queue, green: leaf, me }

// `--preview FILE`: a contact sheet (all icons, both colours, 3x, on white) to eyeball them.
const previewAt = process.argv.indexOf('--preview')
if (previewAt > 0) {
  const S = 3, cols = 4, rows = 2, W = SIZE * S * cols, H = SIZE * S * rows
  const raw = Buffer.alloc(H * (W * 3 + 1), 255)
  Object.values(ICONS).forEach((sdf, col) => {
    ;[COLORS.normal, COLORS.active].forEach((rgb, row) => {
      for (let y = 0; y < SIZE * S; y++) {
        for (let x = 0; x < SIZE * S; x++) {
          const inside = sdf((x + 0.5) / S, (y + 0.5) / S) <= 0
          const o = (row * SIZE * S + y) * (W * 3 + 1) + 1 + (col * SIZE * S + x) * 3
          if (inside) { raw[o] = rgb[0]; raw[o + 1] = rgb[1]; raw[o + 2] = rgb[2] }
          else if (x === 0 || y === 0) { raw[o] = raw[o + 1] = raw[o + 2] = 220 }
        }
      }
    })
  })
  for (let y = 0; y < H; y++) raw[y * (W * 3 + 1)] = 0
  const png = encodePng(raw, W, H)
  png[8 + 8 + 9] = 2 // colour type RGB (patch IHDR byte 9 and fix its CRC below)
  const ihdr = png.subarray(8 + 4, 8 + 4 + 4 + 13)
  png.writeUInt32BE(crc32(ihdr), 8 + 4 + 4 + 13)
  writeFileSync(process.argv[previewAt + 1], png)
  console.log('preview', process.argv[previewAt + 1])
  process.exit(0)
}

mkdirSync(OUT, { recursive: true })
for (const [name, sdf] of Object.entries(ICONS)) {
  writeFileSync(join(OUT, `${name}.png`), render(sdf, COLORS.normal))
  writeFileSync(join(OUT, `${name}-active.png`), render(sdf, COLORS.active))
  console.log(`icon ${name}.png / ${name}-active.png`)
}
