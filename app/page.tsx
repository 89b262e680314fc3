import { Workbench, type RunKind } from '@/components/workbench';
import { decodeConfigParam, type ForecastConfig } from '@/lib/config';
import { listDatasetSummaries } from '@/lib/server/datasets';
import { listSources, type SourceSummary } from '@/lib/server/sources';
import { BASELINE_MODELS } from '@/lib/models/registry';

export const dynamic = 'force-dynamic';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/**
 * The workbench. `/?config=<base64url JSON>` opens it with a configuration (from "Open in
 * workbench" or a copied link) and `&run=forecast|backtest` re-runs it on today's data.
 */
export default async function HomePage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  let initialConfig: ForecastConfig | null = null;
  let initialError: string | null = null;
  let sources: SourceSummary[];
  try {
    sources = await listSources();
  } catch (error) {
    // A misconfigured LOOKAHEAD_SOURCES or parquet directory must not take the samples down with it.
    sources = (await listDatasetSummaries()).map((dataset) => ({ kind: 'dataset' as const, ...dataset }));
    initialError = `sources: ${(error as Error).message}`;
  }
  const configParam = typeof params.config === 'string' ? params.config : null;
  if (configParam) {
    try {
      initialConfig = decodeConfigParam(configParam);
    } catch (error) {
      initialError = [initialError, (error as Error).message].filter(Boolean).join('; ');
    }
  }
  // `?testModels=1` also lists test checkpoints (labelled as such), for end-to-end tests and model developers.
  const showTestModels = params.testModels === '1';
  const initialRun: RunKind | null = params.run === 'forecast' || params.run === 'backtest' ? params.run : null;
  // The worker replaces this list with every model the browser can run (browserModelInfos()).
  return <Workbench sources={sources} models={[...BASELINE_MODELS]} initialConfig={initialConfig} initialRun={initialRun} initialError={initialError} showTestModels={showTestModels} />;
}
