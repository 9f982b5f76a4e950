import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from './api';
import { currentCampaign, getCampaign } from './client/campaigns';

export interface LoadOptions<T> {
  /** false: nothing is loaded (a closed dialog, nothing to check) and a load in flight is dropped. Default true. */
  enabled?: boolean;
  /** As a load starts, forget the previous one's error (and, in `useLoader`, its data): a page for another id. */
  clear?: boolean;
  /** Runs as a load starts, before `load` (e.g. clear state that belonged to the previous id). */
  onStart?: () => void;
  /** The value of the newest load; a stale one (deps changed, a newer load, unmounted) never arrives here. */
  onLoad?: (value: T) => void;
  /** The failure of the newest load (`error` holds its Chinese message as well). */
  onError?: (err: unknown) => void;
}

/**
 * The one loading pattern: runs `load` when `deps` change (and on `reload()`) while `enabled`, and hands the
 * newest result to `onLoad`: for a load whose value goes into several pieces of state or is followed by another
 * step. Responses of older loads are dropped. `useLoader` is this plus the state of the usual case.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[], options: LoadOptions<T> = {}) {
  const enabled = options.enabled ?? true;
  const [loading, setLoading] = useState(enabled);
  const [error, setError] = useState<string | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const seq = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    const { clear, onStart } = optionsRef.current;
    setLoading(true);
    if (clear) setError(null);
    onStart?.();
    try {
      const value = await loadRef.current();
      if (mine === seq.current) {
        optionsRef.current.onLoad?.(value);
        setError(null);
      }
    } catch (err) {
      if (mine === seq.current) {
        setError(errorMessage(err));
        optionsRef.current.onError?.(err);
      }
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    if (!enabled) {
      setLoading(false);
      return;
    }
    void reload();
    return () => {
      seq.current++; // whatever is in flight now is stale
    };
  }, [...deps, enabled]);

  return { loading, error, reload };
}

/** Loads data once (and on `reload()`, or again when `deps` change); `error` is the Chinese message of a failure. */
export function useLoader<T>(load: () => Promise<T>, deps: readonly unknown[], options: LoadOptions<T> = {}) {
  const [data, setData] = useState<T | null>(null);
  const { loading, error, reload } = useLoad(load, deps, {
    ...options,
    onStart: () => {
      if (options.clear) setData(null);
      options.onStart?.();
    },
    onLoad: (value) => {
      setData(value);
      options.onLoad?.(value);
    },
  });
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
