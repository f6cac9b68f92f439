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

/**
 * The referrer's invite code a launch carries: `?ref=<code>` (share card, h5 link) or the scene
 * `r=<code>` of an invite mini-program code (URL-encoded, like the cashier's).
 */
export function parseRef(params: Record<string, string | undefined> | undefined): string | undefined {
  if (!params) return undefined
  if (params.ref) return safeDecode(params.ref).trim() || undefined
  if (params.scene) {
    for (const part of safeDecode(params.scene).split('&')) {
      const [k, v] = part.split('=')
      if (k === 'r' && v) return safeDecode(v).trim() || undefined
    }
  }
  return undefined
}
