import { Alert, Button, Card, Segmented, Skeleton } from 'antd';
import { useState } from 'react';
import { listObjections } from '../../client/publicity';
import { useLoader } from '../../hooks';
import { ObjectionList } from './ObjectionList';

/** 公示异议 (自治区科协): every objection to every 公示, open ones first to read; units' are decided by the units. */
export default function ObjectionsPage() {
  const { data, loading, error, reload } = useLoader(() => listObjections(), []);
  const [filter, setFilter] = useState<'open' | 'all'>('open');
  const items = (data ?? []).filter((o) => filter === 'all' || o.status === 'open');
  return (
    <Card
      title="公示异议"
      extra={
        <Button onClick={() => void reload()} loading={loading}>
          刷新
        </Button>
      }
    >
      <Segmented
        className="block-gap"
        value={filter}
        onChange={(v) => setFilter(v as 'open' | 'all')}
        options={[
          { value: 'open', label: `待核实（${(data ?? []).filter((o) => o.status === 'open').length}）` },
          { value: 'all', label: `全部（${(data ?? []).length}）` },
        ]}
      />
      {error && <Alert type="error" showIcon title={error} className="block-gap" />}
      {loading && !data ? <Skeleton active /> : <ObjectionList items={items} showPublicity onChanged={() => void reload()} />}
    </Card>
  );
}
