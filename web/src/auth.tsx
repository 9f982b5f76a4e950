import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
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
  const [user, setUser] = useState<User | null>(null);
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
  }, []);

  const logout = useCallback(async () => {
    try {
      await logoutCall();
    } finally {
      setUser(null);
      // A fresh csrf cookie for the next login.
      void refresh();
    }
  }, [refresh]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const value = useMemo(() => ({ loading, user, oidc, setUser, refresh, logout }), [loading, user, oidc, refresh, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
