import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { forgetPrefetched } from './api';
import { logout as logoutCall, me as meCall } from './client/auth';
import type { MeReply, User } from './types';

interface AuthState {
  loading: boolean;
  user: User | null;
  oidc: MeReply['oidc'];
  setUser: (user: User | null) => void;
  refresh: () => Promise<void>;
  logout: () => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [loading, setLoading] = useState(true);
  const [user, setUserState] = useState<User | null>(null);
  /** a change of account also forgets the replies fetched early for the page first opened (api.ts prefetchGet) */
  const setUser = useCallback((next: User | null) => {
    setUserState((prev) => {
      if (prev?.id !== next?.id && prev !== null) forgetPrefetched();
      return next;
    });
  }, []);
  const [oidc, setOidc] = useState<MeReply['oidc']>({ enabled: false, name: '' });

  const refresh = useCallback(async () => {
    try {
      const me = await meCall();
      setUser(me.user);
      setOidc(me.oidc ?? { enabled: false, name: '' });
    } catch {
      setUser(null);
    } finally {
      setLoading(false);
    }
  }, [setUser]);

  const logout = useCallback(async () => {
    try {
      await logoutCall();
    } finally {
      setUser(null);
      // A fresh csrf cookie for the next login.
      void refresh();
    }
  }, [refresh, setUser]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const value = useMemo(() => ({ loading, user, oidc, setUser, refresh, logout }), [loading, user, oidc, setUser, refresh, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
