// Every kind of background job, by key (jobs.kind). Each area owns its own record; this file only joins them.
import { CERTIFICATE_JOBS } from './certificates';
import { EXPORT_JOBS } from './exports';
import { MEDIA_JOBS } from './media';
import { MESSAGE_JOBS } from './messages';
import { PUBLICATION_JOBS } from './publication';
import type { JobKind } from './types';

export const JOB_KINDS: Record<string, JobKind> = { ...EXPORT_JOBS, ...CERTIFICATE_JOBS, ...PUBLICATION_JOBS, ...MESSAGE_JOBS, ...MEDIA_JOBS };
