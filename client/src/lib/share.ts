/**
 * Share cards (转发 to a chat, 分享到朋友圈) that open a product or a store and carry the sharer's
 * invite code. The friend is bound to the sharer on their first sign-in (user.login { ref }), as
 * for the mall's card; sharing itself earns nothing (SPEC §6: rewards come only from completed
 * orders), so nothing here calls the server.
 */

function query(params: Record<string, string | undefined>): string {
  return Object.entries(params)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}=${encodeURIComponent(v!)}`)
    .join('&')
}

/** `/pages/product/index?id=<productId>&ref=<inviteCode>` */
export function productSharePath(productId: string, inviteCode?: string): string {
  return `/pages/product/index?${query({ id: productId, ref: inviteCode })}`
}

/** `/pages/store/index?id=<storeId>&ref=<inviteCode>` */
export function storeSharePath(storeId: string, inviteCode?: string): string {
  return `/pages/store/index?${query({ id: storeId, ref: inviteCode })}`
}

/** 朋友圈 takes the page's query only (it always opens the page that shared). */
export function timelineQuery(id: string, inviteCode?: string): string {
  return query({ id, ref: inviteCode })
}
