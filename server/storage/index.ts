import type { Config } from '../config';
import { createS3Storage } from './s3';
import { createLocalStorage, type Storage } from './storage';

export type { ByteRange, Storage, StoredObject } from './storage';
export { StorageNotFoundError } from './storage';

/** S3-compatible object storage when S3_* is configured (its bucket created if missing), else files under DATA_DIR. */
export async function createStorage(config: Pick<Config, 's3'>, dataDir: string): Promise<Storage> {
  if (!config.s3) return createLocalStorage(dataDir);
  const storage = createS3Storage(config.s3, dataDir);
  try {
    await storage.ensureBucket();
  } catch (err) {
    storage.close();
    throw err;
  }
  return storage;
}
