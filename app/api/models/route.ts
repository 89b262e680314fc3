import { BASELINE_MODELS } from '@/lib/models';
import { errorResponse } from '@/lib/server/http';
import { hubBaseUrl } from '@/lib/server/models/hub';
import { listInstalledModels } from '@/lib/server/models/store';

export const dynamic = 'force-dynamic';

/**
 * GET /api/models: every model this deployment offers, with the files of installed ones, and the
 * hub (LOOKAHEAD_HUB_URL) browsers download Chronos-Bolt checkpoints from when the server has none.
 */
export async function GET(): Promise<Response> {
  try {
    const installed = listInstalledModels();
    return Response.json({
      baselines: BASELINE_MODELS,
      installed: installed.map((model) => ({
        ...model.info,
        baseUrl: model.baseUrl,
        sourceRepo: model.manifest.sourceRepo,
        config: model.manifest.config,
        files: model.manifest.files,
      })),
      hubUrl: hubBaseUrl(),
      hint: installed.some((model) => !model.info.testOnly)
        ? null
        : `No Chronos-Bolt model is installed on the server: browsers download and convert one from ${hubBaseUrl()} when it is chosen (or run npm run models:pull -- amazon/chronos-bolt-small).`,
    });
  } catch (error) {
    return errorResponse(error);
  }
}
