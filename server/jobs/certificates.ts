// Jobs of this area: certificates ZIP, printable 申请书 PDF.
import type { JobKind } from './types';

export const CERTIFICATE_JOBS: Record<string, JobKind> = {};
