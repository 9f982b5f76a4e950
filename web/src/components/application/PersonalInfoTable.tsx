import { memo, useMemo, type ReactNode } from 'react';
import { Typography } from 'antd';
import { APPLICATION_FIELDS } from '../../../../core';
import { FieldItem, InfoItem } from './FieldControl';

const PERSONAL = APPLICATION_FIELDS.filter((f) => f.section === 'personal');

/** The table's cells: 申请书编号, the personal fields, 推荐单位 and 附件材料. */
export const PERSONAL_CELLS = PERSONAL.length + 3;
/** The page draws the table this many cells at a time. */
export const PERSONAL_RUN = 5;

interface Cell {
  key: string;
  node: ReactNode;
}

/** A few cells, memoized by themselves: when the page shows the next few, those already there are not drawn again. */
const CellRun = memo(function CellRun({ cells }: { cells: Cell[] }) {
  return (
    <>
      {cells.map((c) => (
        <div key={c.key} className="app-cell">
          {c.node}
        </div>
      ))}
    </>
  );
});

interface Props {
  number: string;
  unitName: string | null;
  /** The 附件材料 cell: what has been uploaded, and the way to it. */
  attachments: ReactNode;
  /** how many of the cells to draw, from the first, in runs of PERSONAL_RUN */
  shown?: number;
}

/**
 * 个人信息 laid out like the manual's two-column table:
 * 申请书编号 | 身份证号码, 申请人姓名 | 性别, … 推荐领域 | 推荐单位, 附件材料 | 附件.
 * On a phone the cells stack in the same order.
 */
export const PersonalInfoTable = memo(function PersonalInfoTable({ number, unitName, attachments, shown = PERSONAL_CELLS }: Props) {
  const runs = useMemo(() => {
    const cells: Cell[] = [
      {
        key: 'number',
        node: (
          <InfoItem label="申请书编号">
            <Typography.Text strong>{number}</Typography.Text>
          </InfoItem>
        ),
      },
      ...PERSONAL.map((f) => ({ key: f.key, node: <FieldItem field={f} /> })),
      {
        key: 'unit',
        node: (
          <InfoItem label="推荐单位">{unitName ? <span>{unitName}</span> : <Typography.Text type="secondary">提交时选择推荐单位</Typography.Text>}</InfoItem>
        ),
      },
      {
        key: 'attachments',
        node: (
          <InfoItem label="附件材料" required>
            {attachments}
          </InfoItem>
        ),
      },
    ];
    const out: Cell[][] = [];
    for (let i = 0; i < cells.length; i += PERSONAL_RUN) out.push(cells.slice(i, i + PERSONAL_RUN));
    return out;
  }, [number, unitName, attachments]);
  return (
    <div className="app-table">
      {runs.slice(0, Math.ceil(shown / PERSONAL_RUN)).map((run) => (
        <CellRun key={run[0]!.key} cells={run} />
      ))}
    </div>
  );
});
