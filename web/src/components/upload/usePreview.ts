import { useEffect, useState } from 'react';
import { ApiError } from '../../api';
import { getAttachmentMeta } from '../../client/attachments';
import type { Attachment } from '../../types';

/** how soon, how often, and how long a page asks whether an image's preview has been made (a job's work of a second or two) */
const FIRST_MS = 400;
const POLL_MS = 1500;
const GIVE_UP_MS = 120_000;

export type PreviewState = 'ready' | 'pending' | 'none';

/**
 * Whether an image's preview can be shown: 'ready'; 'pending' while the job makes it (the page shows 预览生成中…
 * and asks GET …/meta after 0.4 s, then every 1.5 s, for two minutes at most); 'none' for a file without one, or once given up.
 */
export function usePreview(file: Pick<Attachment, 'id' | 'hasPreview' | 'previewPending'>): PreviewState {
  const initial: PreviewState = file.hasPreview ? 'ready' : file.previewPending ? 'pending' : 'none';
  const [state, setState] = useState<PreviewState>(initial);
  // the same component shown another file (the 附件 viewer's 上一个/下一个): start from that file's own state
  const [shown, setShown] = useState(file.id);
  if (shown !== file.id) {
    setShown(file.id);
    setState(initial);
  }
  useEffect(() => {
    if (state !== 'pending') return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const started = Date.now();
    const ask = (after = POLL_MS) => {
      timer = setTimeout(() => {
        getAttachmentMeta(file.id)
          .then((meta) => {
            if (stopped) return;
            if (meta.hasPreview) setState('ready');
            else if (!meta.previewPending || Date.now() - started > GIVE_UP_MS) setState('none');
            else ask();
          })
          .catch((err: unknown) => {
            if (stopped) return;
            // deleted meanwhile: nothing to wait for; offline or a restart: ask again
            if ((err instanceof ApiError && err.code === 'NOT_FOUND') || Date.now() - started > GIVE_UP_MS) setState('none');
            else ask();
          });
      }, after);
    };
    ask(FIRST_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [file.id, state]);
  return state;
}
