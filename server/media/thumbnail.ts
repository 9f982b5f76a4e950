import { writeFile } from 'node:fs/promises';
import sharp, { type OutputInfo } from 'sharp';
import { MEDIA_MESSAGES, MediaError, PIXEL_LIMIT } from './probe';

export const THUMBNAIL_SIZE = 480;

const decoder = (src: string) => sharp(src, { limitInputPixels: PIXEL_LIMIT, failOn: 'error' });

function decodeError(err: unknown): MediaError {
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) return new MediaError(`图片像素超过 ${PIXEL_LIMIT / 10_000} 万像素上限`, 'pixels');
  return new MediaError(MEDIA_MESSAGES.imageBroken, 'image_corrupt');
}

/**
 * A JPEG at most 480×480, upright by the EXIF orientation, re-encoded without any metadata (no EXIF, so no GPS
 * position of where the photo was taken). Decoding the whole image also proves it is not damaged.
 */
export async function makeThumbnail(src: string, dest: string, size = THUMBNAIL_SIZE): Promise<{ width: number; height: number }> {
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await decoder(src)
      .rotate()
      .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw decodeError(err);
  }
  // written apart from decoding so that a disk error is not reported as a damaged image
  await writeFile(dest, out.data);
  return { width: out.info.width, height: out.info.height };
}

/** Decodes every pixel (into a tiny image, so memory stays small); a MediaError if that fails. */
export async function verifyImageDecodes(src: string): Promise<void> {
  try {
    await decoder(src).resize({ width: 16, height: 16, fit: 'inside' }).raw().toBuffer();
  } catch (err) {
    throw decodeError(err);
  }
}
