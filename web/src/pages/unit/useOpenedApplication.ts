import { applicationChanges, getApplication, openApplication } from '../../client/applications';
import { useLoader } from '../../hooks';
import type { ApplicationDetail } from '../../types';

/**
 * The application a unit or 自治区科协 opens (办理, 查看): read, then, when it waits for this viewer, POST …/open,
 * which records 已阅 (from then on the sender can no longer 收回); and its changes since the last return. `onOpened` runs with the detail once it is there.
 */
export function useOpenedApplication(id: string, onOpened?: (detail: ApplicationDetail) => void) {
  // 办理 (POST …/open, 已阅) only when the application waits for this viewer (abilities.view); any other
  // application it may see is read as it is, without asking for an action the server would refuse
  const {
    data: detail,
    setData: setDetail,
    error: loadError,
  } = useLoader(
    async () => {
      const d = await getApplication(id);
      return d.abilities.view ? openApplication(id) : d;
    },
    [id],
    { clear: true, onLoad: (d) => onOpened?.(d) },
  );
  // in parallel; a failure shows no changes
  const { data: changes, setData: setChanges } = useLoader(() => applicationChanges(id), [id], { onError: () => setChanges(null) });

  return { detail, setDetail, loadError, changes };
}
