import { useEffect, useEffectEvent, useState } from 'react';
import { errorMessage } from '../../api';
import { applicationChanges, getApplication, openApplication } from '../../client/applications';
import type { ApplicationDetail, ChangesReply } from '../../types';

/**
 * The application a unit or 自治区科协 opens (办理, 查看): read, then, when it waits for this viewer, POST …/open,
 * which records 已阅 (from then on the sender can no longer 收回); and its changes since the last return. `onOpened` runs with the detail once it is there.
 */
export function useOpenedApplication(id: string, onOpened?: (detail: ApplicationDetail) => void) {
  const [detail, setDetail] = useState<ApplicationDetail | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [changes, setChanges] = useState<ChangesReply | null>(null);
  const opened = useEffectEvent((d: ApplicationDetail) => onOpened?.(d));

  useEffect(() => {
    let live = true;
    setDetail(null);
    setLoadError(null);
    // 办理 (POST …/open, 已阅) only when the application waits for this viewer (abilities.view); any other
    // application it may see is read as it is, without asking for an action the server would refuse
    getApplication(id)
      .then((d) => (d.abilities.view ? openApplication(id) : d))
      .then((d) => {
        if (!live) return;
        setDetail(d);
        opened(d);
      })
      .catch((err: unknown) => live && setLoadError(errorMessage(err)));
    applicationChanges(id)
      .then((c) => live && setChanges(c))
      .catch(() => live && setChanges(null));
    return () => {
      live = false;
    };
  }, [id]);

  return { detail, setDetail, loadError, changes };
}
