/**
 * Where the cashier id comes from:
 * - weapp, store's mini-program code (wxacode.getUnlimited, page `pages/cashier/index`,
 *   scene `c=<cashierId>`): the page gets `options.scene`, URL-encoded (`c%3D123`).
 * - weapp, plain QR / navigateTo: `?c=<id>` in the page query.
 * - h5: `#/pages/cashier/index?c=<id>`; Taro's router gives it as `params.c`.
 */
export function parseCashierId(params: Record<string, string | undefined> | undefined): string | null {
  if (!params) return null
  const direct = params.c
  if (direct) return safeDecode(direct).trim() || null
  const scene = params.scene
  if (scene) {
    const query = safeDecode(scene)
    for (const part of query.split('&')) {
      const [k, v] = part.split('=')
      if (k === 'c' && v) return safeDecode(v).trim() || null
    }
  }
  return null
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}
