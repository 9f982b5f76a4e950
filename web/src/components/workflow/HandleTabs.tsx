import { useRef, type KeyboardEvent, type ReactNode } from 'react';

interface Item {
  key: string;
  label: string;
}

interface Props {
  idPrefix: string;
  items: Item[];
  activeKey: string;
  onChange: (key: string) => void;
  /** The top-right buttons (返回, 提交, 退回). */
  extra?: ReactNode;
}

/**
 * The handling view's tab bar (申请书信息, 修改意见, 推荐单位意见) with the buttons on the right, as the manual
 * draws it. A plain tablist rather than antd Tabs so that each opinion's text box is the only element
 * labelled with that opinion's name (antd labels its panels after their tabs).
 */
export function HandleTabs({ idPrefix, items, activeKey, onChange, extra }: Props) {
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>, index: number) => {
    let next = -1;
    if (e.key === 'ArrowRight') next = (index + 1) % items.length;
    if (e.key === 'ArrowLeft') next = (index - 1 + items.length) % items.length;
    if (e.key === 'Home') next = 0;
    if (e.key === 'End') next = items.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const key = items[next]!.key;
    onChange(key);
    refs.current[key]?.focus();
  };
  return (
    <div className="handle-tabs">
      <div role="tablist" className="handle-tablist">
        {items.map((item, i) => {
          const active = item.key === activeKey;
          return (
            <button
              key={item.key}
              ref={(el) => {
                refs.current[item.key] = el;
              }}
              type="button"
              role="tab"
              id={`${idPrefix}-tab-${item.key}`}
              aria-selected={active}
              aria-controls={`${idPrefix}-panel`}
              tabIndex={active ? 0 : -1}
              className={active ? 'handle-tab handle-tab-active' : 'handle-tab'}
              onClick={() => onChange(item.key)}
              onKeyDown={(e) => onKeyDown(e, i)}
            >
              {item.label}
            </button>
          );
        })}
      </div>
      {extra && <div className="handle-tabs-extra">{extra}</div>}
    </div>
  );
}
