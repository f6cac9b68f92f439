/**
 * Pictures: where they come from and how they are shown.
 *
 * - weapp: the picture goes straight from the phone to cloud storage (`Taro.cloud.uploadFile`,
 *   no bytes through a cloud function: its payload and time limits are small) and the action
 *   receives the `cloud://` file id, which `<Image>` shows as is. The server downloads and checks
 *   it (type by its bytes, at most 1 MB) before it saves the reference.
 * - h5 (local gateway): the bytes are posted to `/upload/image`, which checks and stores them
 *   beside the data and answers `/files/<name>`.
 * Both sides refuse more than MAX_IMAGE_BYTES and anything but JPG/PNG/WebP/GIF.
 */
import Taro from '@tarojs/taro'
import { MAX_IMAGE_BYTES } from '../../../shared/contract'
import { API_BASE, ApiError, getDevOpenid, unwrap } from './api'

export { MAX_IMAGE_BYTES }

export type ImagePurpose = 'catalog' | 'avatar'

/** The cloud folder of each purpose (the server accepts file ids under these only). */
const CLOUD_FOLDER: Record<ImagePurpose, string> = { catalog: 'catalog', avatar: 'avatars' }

const EXT_BY_TYPE: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/gif': 'gif' }

/** The `src` of a stored picture: cloud file ids as they are, local files on the gateway's origin. */
export function imageSrc(ref: string | null | undefined): string {
  if (!ref) return ''
  return ref.startsWith('/files/') ? `${API_BASE}${ref}` : ref
}

/** The type of a picture by its file name or declared type; null when it is not one we take. */
export function imageExt(pathOrType: string): string | null {
  const t = pathOrType.toLowerCase()
  if (EXT_BY_TYPE[t]) return EXT_BY_TYPE[t]!
  const m = /\.(jpe?g|png|webp|gif)(?:$|\?)/.exec(t)
  if (!m) return null
  return m[1] === 'jpeg' ? 'jpg' : m[1]!
}

/** Why a chosen file cannot be uploaded, in words; null when it can. */
export function imageProblem(size: number, ext: string | null): string | null {
  if (!ext) return '只支持 JPG、PNG、WebP、GIF 图片'
  if (size > MAX_IMAGE_BYTES) return `图片不能超过 ${MAX_IMAGE_BYTES / 1024 / 1024} MB，请换一张或裁剪后再传`
  return null
}

/** A cloud path nobody else's upload can collide with: `<folder>/<yyyymm>/<random>.<ext>`. */
export function cloudPath(purpose: ImagePurpose, ext: string, now = new Date()): string {
  const month = `${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}`
  const rnd = `${now.getTime().toString(36)}${Math.random().toString(36).slice(2, 10)}`
  return `${CLOUD_FOLDER[purpose]}/${month}/${rnd}.${ext}`
}

/** Upload a picture the user picked (or WeChat's avatar fill-in gave) and answer its reference for the actions. */
export async function uploadImageFile(purpose: ImagePurpose, file: { path: string; size: number; type?: string; file?: Blob }): Promise<string> {
  const ext = imageExt(file.type || file.path)
  const problem = imageProblem(file.size, ext)
  if (problem) throw new ApiError('INVALID_INPUT', problem)
  if (process.env.TARO_ENV === 'weapp') {
    const res = await Taro.cloud.uploadFile({ cloudPath: cloudPath(purpose, ext!), filePath: file.path })
    return res.fileID
  }
  const body = file.file ?? (await (await fetch(file.path)).blob())
  let res: Response
  try {
    res = await fetch(`${API_BASE}/upload/image?purpose=${purpose}`, {
      method: 'POST',
      headers: { 'content-type': body.type || `image/${ext}`, 'x-openid': getDevOpenid() },
      body,
    })
  } catch (err) {
    throw new ApiError('NETWORK', err instanceof Error ? err.message : String(err), false)
  }
  return unwrap<{ fileId: string }>(await res.json()).fileId
}

/**
 * Pick one picture and upload it. Call it straight from a tap (the browser opens its file
 * chooser only during a user gesture). Resolves null when the user cancels.
 */
export async function chooseAndUploadImage(purpose: ImagePurpose): Promise<string | null> {
  let picked: { path: string; size: number; type?: string; file?: Blob } | undefined
  try {
    if (process.env.TARO_ENV === 'weapp') {
      const r = await Taro.chooseMedia({ count: 1, mediaType: ['image'], sizeType: ['compressed'], sourceType: ['album', 'camera'] })
      const f = r.tempFiles[0]
      picked = f ? { path: f.tempFilePath, size: f.size } : undefined
    } else {
      // album only: on a phone-sized browser Taro would first ask 拍摄/相册 and the file chooser would lose the tap
      const r = await Taro.chooseImage({ count: 1, sourceType: ['album'] })
      const f = r.tempFiles[0] as { path: string; size: number; type?: string; originalFileObj?: Blob } | undefined
      picked = f ? { path: f.path, size: f.size, type: f.type, file: f.originalFileObj } : undefined
    }
  } catch {
    return null // cancelled
  }
  if (!picked) return null
  return uploadImageFile(purpose, picked)
}
