import type { ReactNode } from 'react';
import { Empty, Grid, Pagination, Spin, Table, type PaginationProps, type TableColumnType } from 'antd';

/**
 * The page numbers of a pagination as plain text in their `li` (which takes the click and the keys): antd's
 * own are `<a rel="nofollow">` without an href, links that lead nowhere.
 */
export const pageItemRender: PaginationProps['itemRender'] = (page, type, original) =>
  type === 'page' ? <span className="page-number">{page}</span> : original;

export type ListColumn<T> = TableColumnType<T>;

interface Props<T> {
  rowKey: keyof T & string;
  columns: ListColumn<T>[];
  dataSource: readonly T[];
  loading?: boolean;
  emptyText: ReactNode;
  /** The table's width on wide screens (it scrolls sideways inside its box when narrower). */
  scrollX?: number;
  pagination?: false | PaginationProps;
  size?: 'small' | 'middle';
  /** The accessible name of the card list on phones. */
  label: string;
}

function cellOf<T>(column: ListColumn<T>, row: T, index: number): ReactNode {
  const value = column.dataIndex !== undefined ? (row as Record<string, unknown>)[String(column.dataIndex)] : undefined;
  return column.render ? (column.render(value, row, index) as ReactNode) : (value as ReactNode);
}

/**
 * A list of applications: a table from `md` up; below it, one card per row with the same fields (label and
 * value) and the 操作 column's buttons at the card's foot, so every action is on screen without swiping.
 */
export function ResponsiveList<T extends object>({ rowKey, columns, dataSource, loading, emptyText, scrollX, pagination, size, label }: Props<T>) {
  const screens = Grid.useBreakpoint();
  const wide = screens.md ?? (typeof window === 'undefined' || window.innerWidth >= 768);
  const paging = pagination ? { ...pagination, itemRender: pageItemRender } : pagination;

  if (wide) {
    return (
      <Table<T>
        rowKey={rowKey}
        size={size}
        loading={loading}
        dataSource={dataSource}
        columns={columns}
        scroll={scrollX ? { x: scrollX } : undefined}
        pagination={paging ?? false}
        // antd draws a plain emptyText in colorTextDisabled (#bfbfbf, 1.83:1): the Empty description is the readable one
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={emptyText} /> }}
      />
    );
  }

  const fields = columns.filter((c) => c.key !== 'actions');
  const actions = columns.find((c) => c.key === 'actions');
  return (
    <Spin spinning={!!loading}>
      {dataSource.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={emptyText} />
      ) : (
        <ul className="row-cards" aria-label={label}>
          {dataSource.map((row, i) => (
            <li key={String(row[rowKey])} className="row-card">
              <dl className="row-card-fields">
                {fields.map((c, j) => (
                  <div key={String(c.key ?? c.dataIndex ?? j)} className="row-card-field">
                    <dt>{typeof c.title === 'function' ? null : c.title}</dt>
                    <dd>{cellOf(c, row, i)}</dd>
                  </div>
                ))}
              </dl>
              {actions && <div className="row-card-actions">{cellOf(actions, row, i)}</div>}
            </li>
          ))}
        </ul>
      )}
      {paging && <Pagination className="row-cards-pagination" size="small" simple={false} {...paging} />}
    </Spin>
  );
}
