import { MAX_IMAGE_BYTES } from '../../../shared/contract';
import { z } from 'zod';

/**
 * Images (product pictures, banner slides, avatars). Bytes never travel through a cloud function
 * call: in WeChat the mini-program uploads straight to cloud storage (`wx.cloud.uploadFile`) and
 * sends the file id; in local mode the h5 client posts the bytes to the gateway's `/upload/image`
 * and sends the `/files/<name>` it answers. Either way the server only stores a reference, and
 * checks the file behind it (WxPort.inspectImage) before it saves a new one: type by its first
 * bytes (not by the name or a declared type), size at most MAX_IMAGE_BYTES.
 */

export { MAX_IMAGE_BYTES };
export const IMAGE_TOO_BIG = `图片不能超过 ${MAX_IMAGE_BYTES / 1024 / 1024} MB`;

export type ImageExt = 'jpg' | 'png' | 'webp' | 'gif';

export const IMAGE_CONTENT_TYPES: Record<ImageExt, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
};

/** What an image is for: who may upload it and the cloud folder it goes to. */
export type ImagePurpose = 'catalog' | 'avatar';

/** The type of an image by its magic bytes; null for anything else (an SVG, HTML, a renamed file …). */
export function sniffImage(bytes: Uint8Array): ImageExt | null {
  const b = (i: number) => bytes[i] ?? -1;
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'jpg';
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47 && b(4) === 0x0d && b(5) === 0x0a && b(6) === 0x1a && b(7) === 0x0a) return 'png';
  if (b(0) === 0x47 && b(1) === 0x49 && b(2) === 0x46 && b(3) === 0x38) return 'gif';
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  return null;
}

export type ImageCheck = { ok: true; ext: ImageExt; bytes: number } | { ok: false; reason: string };

/** Size and type of an image's bytes. */
export function checkImageBytes(bytes: Uint8Array): ImageCheck {
  if (bytes.length === 0) return { ok: false, reason: '图片是空的' };
  if (bytes.length > MAX_IMAGE_BYTES) return { ok: false, reason: IMAGE_TOO_BIG };
  const ext = sniffImage(bytes);
  if (!ext) return { ok: false, reason: '只支持 JPG、PNG、WebP、GIF 图片' };
  return { ok: true, ext, bytes: bytes.length };
}

/** A file of the local image store: 32 hex digits of its SHA-256 and its type (no name of the uploader's survives). */
export const LOCAL_IMAGE_NAME = /^[a-f0-9]{32}\.(jpg|png|webp|gif)$/;
export const LOCAL_IMAGE_PREFIX = '/files/';

/** A WeChat cloud file id under one of our folders, as the client names uploads (lib/upload.ts). */
export const CLOUD_IMAGE_ID = /^cloud:\/\/[A-Za-z0-9-]{1,64}\.[A-Za-z0-9-]{1,80}\/(catalog|avatars)\/[A-Za-z0-9_-]{1,40}\/[A-Za-z0-9_-]{1,64}\.(jpg|jpeg|png|webp|gif)$/;

export function isLocalImageRef(ref: string): boolean {
  return ref.startsWith(LOCAL_IMAGE_PREFIX) && LOCAL_IMAGE_NAME.test(ref.slice(LOCAL_IMAGE_PREFIX.length));
}

/** An image reference as actions accept it: empty (no image), a cloud file id or a local file. */
export const imageRef = z
  .string()
  .max(300)
  .refine((v) => v === '' || CLOUD_IMAGE_ID.test(v) || isLocalImageRef(v), '图片地址须为上传后得到的文件编号');
