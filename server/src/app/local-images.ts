import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../runtime/errors';
import { IMAGE_CONTENT_TYPES, LOCAL_IMAGE_NAME, LOCAL_IMAGE_PREFIX, MAX_IMAGE_BYTES, checkImageBytes, isLocalImageRef, type ImageCheck, type ImageExt, IMAGE_TOO_BIG } from '../runtime/images';

/**
 * Local mode's image storage (what cloud storage is in WeChat): one folder beside the data
 * (`<DATA_DIR>/uploads`). A file is named by its content — 32 hex digits of its SHA-256 and the
 * type its bytes show — so nothing the uploader sends ends up in a path (no traversal, no
 * overwriting another file; the same picture uploaded twice is one file).
 */
export class LocalImageStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  /** Check and store an upload; answers the reference to send to the actions (`/files/<name>`). */
  async save(bytes: Buffer): Promise<{ fileId: string; bytes: number; type: string }> {
    const check = checkImageBytes(bytes);
    if (!check.ok) throw new AppError('INVALID_INPUT', check.reason);
    const name = `${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}.${check.ext}`;
    await mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, name);
    if (!(await exists(file))) {
      // write aside, then rename: a reader never sees half a file
      const tmp = path.join(this.dir, `.${name}.${randomBytes(4).toString('hex')}.tmp`);
      await writeFile(tmp, bytes);
      await rename(tmp, file);
    }
    return { fileId: `${LOCAL_IMAGE_PREFIX}${name}`, bytes: bytes.length, type: IMAGE_CONTENT_TYPES[check.ext] };
  }

  /** The file of a stored image's name, or null (a name that is not one of ours never reaches the file system). */
  async file(name: string): Promise<{ path: string; type: string; bytes: number } | null> {
    if (!LOCAL_IMAGE_NAME.test(name)) return null;
    const file = path.join(this.dir, name);
    const st = await stat(file).catch(() => null);
    if (!st?.isFile()) return null;
    return { path: file, type: IMAGE_CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1) as ImageExt], bytes: st.size };
  }

  async inspect(ref: string): Promise<ImageCheck> {
    if (!isLocalImageRef(ref)) return { ok: false, reason: '图片须先上传（/upload/image）' };
    const f = await this.file(ref.slice(LOCAL_IMAGE_PREFIX.length));
    if (!f) return { ok: false, reason: '找不到该图片，请重新上传' };
    if (f.bytes > MAX_IMAGE_BYTES) return { ok: false, reason: IMAGE_TOO_BIG };
    return checkImageBytes(await readFile(f.path));
  }
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => null)) !== null;
}
