import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from './api';
import { currentCampaign, getCampaign } from './client/campaigns';

/** Loads data once (and on `reload()`); `error` is the Chinese message of a failure. */
export function useLoader<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const seq = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const value = await loadRef.current();
      if (mine === seq.current) {
        setData(value);
        setError(null);
      }
    } catch (err) {
      if (mine === seq.current) setError(errorMessage(err));
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, deps);

  return { data, setData, loading, error, reload };
}

/** The newest campaign (首页's calendar, 我要申请). An application's own limits come from `useCampaign(app.campaignId)`. */
export function useCurrentCampaign() {
  return useLoader(currentCampaign, []);
}

/**
 * One campaign by id: the one an application belongs to, whose limits (media sizes, 评选条例, windows) the server
 * applies to it. Nothing is loaded until the id is known (`data` stays null meanwhile).
 */
export function useCampaign(id: string | null | undefined) {
  return useLoader(async () => (id ? getCampaign(id) : null), [id ?? null]);
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}
