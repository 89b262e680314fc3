/** Entry of `npm run worker`: a server job worker (lib/server/jobs). */
import { runWorkerProcess } from '@/lib/server/jobs/worker-process';

await runWorkerProcess();
