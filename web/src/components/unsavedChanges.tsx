import { useCallback, useEffect, useRef } from 'react';
import { App, Button } from 'antd';
import { useBlocker, type BlockerFunction } from 'react-router';

/**
 * Unsaved changes: every way out of a form asks first. The router's own navigation (menu, links, the
 * browser's Back) through useBlocker, closing or reloading the tab through beforeunload, and 退出 through
 * confirmLeave(), which AppLayout awaits before logging out. Going to /login is never blocked: 退出 has
 * asked already, and an expired session must reach the login page (the form's local copy keeps the typing).
 */

type Choice = 'stay' | 'leave' | 'save';
type LeaveCheck = () => Promise<boolean>;

/** The mounted form with unsaved changes, if any (one page at a time). */
let active: { check: LeaveCheck } | null = null;

/** true when the user may leave: nothing unsaved, or they chose 离开 / 保存后离开 (and the save succeeded). */
export function confirmLeave(): Promise<boolean> {
  return active ? active.check() : Promise.resolve(true);
}

export interface UnsavedGuardOptions {
  /** "申请书有未保存的修改，离开后将丢失。是否离开？" */
  message: string;
  /** 【保存后离开】: true when everything was saved. Absent: no such button. */
  save?: () => Promise<boolean>;
  /** 【离开】 was chosen: the changes are given up (e.g. the local copy removed). */
  onDiscard?: () => void;
}

/**
 * Guards a form while `dirty` says it has unsaved changes. `dirty` is a ref, so the answer is right even in
 * the same tick as a save or a keystroke.
 */
export function useUnsavedGuard(dirty: { readonly current: boolean }, options: UnsavedGuardOptions) {
  const { modal } = App.useApp();
  const opts = useRef(options);
  useEffect(() => {
    opts.current = options;
  });
  const asking = useRef<Promise<boolean> | null>(null);

  const ask = useCallback((): Promise<boolean> => {
    if (asking.current) return asking.current;
    const choice = new Promise<Choice>((resolve) => {
      const { save } = opts.current;
      const dialog = modal.confirm({
        title: '离开此页？',
        content: opts.current.message,
        okText: '离开',
        cancelText: '留在此页',
        okButtonProps: { danger: true },
        className: 'unsaved-confirm',
        onOk: () => resolve('leave'),
        onCancel: () => resolve('stay'),
        footer: (_node, { OkBtn, CancelBtn }) => (
          <>
            <CancelBtn />
            {save && (
              <Button
                type="primary"
                onClick={() => {
                  dialog.destroy();
                  resolve('save');
                }}
              >
                保存后离开
              </Button>
            )}
            <OkBtn />
          </>
        ),
      });
    });
    const decided = choice
      .then(async (c) => {
        if (c === 'leave') {
          opts.current.onDiscard?.();
          return true;
        }
        if (c === 'save') return (await opts.current.save?.()) ?? false;
        return false;
      })
      .finally(() => {
        asking.current = null;
      });
    asking.current = decided;
    return decided;
  }, [modal]);

  // the router: menu items, links, Back and Forward
  const shouldBlock = useCallback<BlockerFunction>(
    ({ currentLocation, nextLocation }) =>
      dirty.current &&
      nextLocation.pathname !== '/login' &&
      (currentLocation.pathname !== nextLocation.pathname || currentLocation.search !== nextLocation.search),
    [dirty],
  );
  const blocker = useBlocker(shouldBlock);
  const handled = useRef<unknown>(null);
  useEffect(() => {
    if (blocker.state !== 'blocked' || handled.current === blocker) return;
    handled.current = blocker;
    void ask().then((leave) => (leave ? blocker.proceed() : blocker.reset()));
  }, [blocker, ask]);

  // 退出 (and anything else outside the router that asks)
  useEffect(() => {
    const entry = { check: () => (dirty.current ? ask() : Promise.resolve(true)) };
    active = entry;
    return () => {
      if (active === entry) active = null;
    };
  }, [ask, dirty]);

  // closing or reloading the tab: the browser's own prompt
  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (dirty.current) e.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);
}
