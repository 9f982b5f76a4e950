import { hash, verify } from '@node-rs/argon2';

// argon2id (the library's default algorithm) with OWASP's recommended minimum: 19 MiB, 2 passes.
// @node-rs/argon2 runs on libuv's thread pool, so hashing never blocks the event loop.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const hashPassword = (password: string) => hash(password, OPTIONS);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | null = null;

/** Hashes the dummy password now (at start), so that the first unknown name does not take a hash's time more. */
export function warmDummyHash(): Promise<string> {
  dummy ??= hashPassword('dummy-password-for-timing');
  return dummy;
}

/**
 * Spends the same time as a real check — an argon2id verification with the same parameters as every
 * stored hash — so that unknown user names cannot be told apart by timing. Always false.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(await warmDummyHash(), password);
  return false;
}
