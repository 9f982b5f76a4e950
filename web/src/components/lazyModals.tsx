import { lazy, Suspense, useState, type ComponentProps, type ComponentType } from 'react';

/**
 * Dialogs that a page shows only on a click, loaded with that first click instead of with the page (issue 11,
 * item 9: 我的申报表 loaded the 附件 dialog's upload code and the 流程情况 dialog on every visit).
 *
 * `deferred(load, isOpen)` gives a component with the dialog's own props. Until the dialog is first opened it
 * renders nothing and loads nothing; from then on it stays mounted, so closing keeps the dialog's own
 * animation and a second opening is instant. While the code arrives (one small chunk) nothing is drawn.
 */
function deferred<P extends object>(load: () => Promise<ComponentType<P>>, isOpen: (props: P) => boolean): ComponentType<P> {
  const Loaded = lazy(async () => ({ default: await load() }));
  function Deferred(props: P) {
    const [opened, setOpened] = useState(false);
    const open = isOpen(props);
    if (open && !opened) setOpened(true);
    if (!open && !opened) return null;
    return (
      <Suspense fallback={null}>
        <Loaded {...props} />
      </Suspense>
    );
  }
  return Deferred;
}

type AttachmentsProps = ComponentProps<typeof import('./AttachmentsModal').AttachmentsModal>;
type FlowProps = ComponentProps<typeof import('./workflow/FlowModal').FlowModal>;
type UnitPickerProps = ComponentProps<typeof import('./workflow/UnitPickerModal').UnitPickerModal>;

/** 【附件】 (see AttachmentsModal), loaded when first opened. */
export const AttachmentsModal = deferred<AttachmentsProps>(
  async () => (await import('./AttachmentsModal')).AttachmentsModal,
  (p) => p.open,
);

/** 流程情况 (see FlowModal), loaded when first opened. */
export const FlowModal = deferred<FlowProps>(
  async () => (await import('./workflow/FlowModal')).FlowModal,
  (p) => p.applicationId !== null,
);

/**
 * 选择推荐单位 of 【提交】 (see UnitPickerModal), loaded when first opened: the 申请书 no longer draws a closed
 * dialog nor loads Ant Design's Select with the page (issue 11, item 9).
 */
export const UnitPickerModal = deferred<UnitPickerProps>(
  async () => (await import('./workflow/UnitPickerModal')).UnitPickerModal,
  (p) => p.open,
);
