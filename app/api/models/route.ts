import { BASELINE_MODELS } from '@/lib/models';
import { errorResponse } from '@/lib/server/http';
import { hubBaseUrl } from '@/lib/server/models/hub';
import { listInstalledModels } from '@/lib/server/models/store';
import { listTrainedSummaries, type TrainedModelSummary } from '@/lib/server/models/trained';
import { getDatabase } from '@/db';

export const dynamic = 'force-dynamic';

/**
 * GET /api/models: every model this deployment offers, with the files of installed ones, the
 * trained Informer revisions (from the database; `current` marks what a bare id runs), and the
 * hub (LOOKAHEAD_HUB_URL) browsers download Chronos-Bolt checkpoints from when the server has none.
 */
export async function GET(): Promise<Response> {
  try {
    const installed = listInstalledModels();
    let trained: TrainedModelSummary[] = [];
    let trainedError: string | null = null;
    try {
      trained = await listTrainedSummaries(await getDatabase());
    } catch (error) {
      // The static models stay listed when the database is down.
      console.error('models: could not list trained models', error);
      trainedError = 'trained models could not be listed (database unavailable); try again';
    }
    return Response.json({
      baselines: BASELINE_MODELS,
      installed: installed.map((model) => ({
        ...model.info,
        baseUrl: model.baseUrl,
        sourceRepo: model.manifest.sourceRepo,
        config: model.manifest.config,
        files: model.manifest.files,
      })),
      trained,
      ...(trainedError ? { trainedError } : {}),
      hubUrl: hubBaseUrl(),
      hint: installed.some((model) => !model.info.testOnly)
        ? null
        : `No Chronos-Bolt model is installed on the server: browsers download and convert one from ${hubBaseUrl()} when it is chosen (or run npm run models:pull -- amazon/chronos-bolt-small).`,
    });
  } catch (error) {
    return errorResponse(error);
  }
}
