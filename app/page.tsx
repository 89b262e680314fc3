import { Workbench } from '@/components/workbench';
import { listDatasetSummaries } from '@/lib/server/datasets';
import { BASELINE_MODELS } from '@/lib/models/registry';

export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const datasets = await listDatasetSummaries();
  return <Workbench datasets={datasets} models={BASELINE_MODELS.map((model) => ({ id: model.id, label: model.label }))} />;
}
