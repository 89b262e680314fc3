import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../support/chromium';

/**
 * Informer trained in the browser (issue #10's "done means"), through the production build in
 * Chromium: ETTh1 OT and the energy preset with a tiny override (so it runs in seconds on WASM;
 * WASM chosen explicitly, no SwiftShader), the live loss chart filling, a reload after the first
 * epoch's IndexedDB checkpoint, a resume from that epoch (not from scratch), the model stored on
 * the server and listed by GET /api/models, the run's curves in /api/monitor, then a workbench
 * forecast with it and a backtest comparison beside Chronos-Bolt (tiny, from the local hub
 * imitation) and the baselines.
 */
const appUrl = inject('appUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const MODEL = 'informer-e2e-browser-etth1-ot';
const EPOCHS = 5;

async function epochRows(page: Page): Promise<{ epoch: number; train: number; validation: number }[]> {
  return page.$$eval('[data-testid=training-epochs] tbody tr', (rows) =>
    rows.map((row) => ({ epoch: Number(row.getAttribute('data-epoch')), train: Number(row.getAttribute('data-train')), validation: Number(row.getAttribute('data-validation')) })),
  );
}

describe('Informer trained in the browser', () => {
  it('trains with a live chart, resumes after a reload from the saved epoch, is stored, forecasts and joins a backtest', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(appUrl);
    await expect.poll(() => page.locator('[data-testid=device]').textContent(), { timeout: 30_000 }).toContain('Device:');
    await page.selectOption('#source', 'etth1');
    await page.selectOption('#column', 'OT');
    await page.selectOption('#device', 'wasm');

    const panel = page.locator('[data-testid=training-panel]');
    await panel.waitFor({ timeout: 30_000 });
    await page.selectOption('#train-task', 'energy');
    await page.selectOption('#train-size', 'small');
    await page.fill('#train-epochs', String(EPOCHS));
    await page.fill('#train-batch', '16');
    await page.fill('#train-lr', '0.003');
    await page.fill('#train-patience', '10');
    await page.fill('#train-points', '2000');
    await page.click('text=Network and speed');
    for (const [field, value] of Object.entries({ contextLength: 48, labelLength: 24, horizon: 12, dModel: 16, heads: 2, encoderLayers: 1, decoderLayers: 1, dFeedForward: 32 })) {
      await page.fill(`#train-${field}`, String(value));
    }
    await page.fill('#train-max-steps', '6');
    await page.fill('#train-max-validation', '32');
    await page.fill('#train-model-id', MODEL);
    await page.click('[data-testid=training-start]');

    const run = page.locator('[data-testid=training-run]');
    await expect.poll(() => run.getAttribute('data-phase'), { timeout: 60_000 }).toMatch(/running|paused/);
    expect(await page.locator('[data-testid=training-device]').textContent()).toContain('WASM');
    // The first epoch's checkpoint is in IndexedDB: hold the run there and reload the page.
    await expect.poll(async () => Number(await run.getAttribute('data-checkpoint-epoch')), { timeout: 120_000, interval: 50 }).toBeGreaterThanOrEqual(1);
    await page.click('[data-testid=training-pause]');
    // Once paused the worker posts nothing more, so the chart read next is what it drew before the reload.
    await expect.poll(() => run.getAttribute('data-phase'), { timeout: 60_000 }).toBe('paused');
    const runId = (await run.getAttribute('data-run'))!;
    expect(runId).toMatch(/^browser-/);
    expect(Number(await page.locator('[data-testid=training-step-chart]').getAttribute('data-points'))).toBeGreaterThanOrEqual(6);
    expect(await page.locator('[data-testid=training-step-chart] svg.recharts-surface').count()).toBeGreaterThan(0);
    const before = await epochRows(page);
    expect(before.length).toBeGreaterThanOrEqual(1);
    expect(before.every((row) => Number.isFinite(row.train) && Number.isFinite(row.validation))).toBe(true);

    await page.reload();
    const saved = page.locator(`[data-testid=training-saved] li[data-run="${runId}"]`);
    await saved.waitFor({ timeout: 30_000 });
    const savedEpoch = Number(await saved.getAttribute('data-epoch'));
    expect(savedEpoch).toBeGreaterThanOrEqual(1);
    expect(savedEpoch).toBeLessThan(EPOCHS);
    await page.selectOption('#device', 'wasm');
    await saved.locator('[data-testid=training-resume]').click();
    await expect.poll(async () => Number(await run.getAttribute('data-resumed-from')), { timeout: 60_000 }).toBe(savedEpoch);
    expect(await page.locator('[data-testid=training-resumed]').textContent()).toContain(`Resumed from epoch ${savedEpoch}`);
    // The chart keeps the epochs before the reload (from the checkpoint's history), then goes on.
    const resumedRows = await epochRows(page);
    expect(resumedRows.slice(0, savedEpoch).map((row) => row.train)).toEqual(before.slice(0, savedEpoch).map((row) => row.train));

    await expect.poll(() => run.getAttribute('data-phase'), { timeout: 240_000, interval: 500 }).toBe('done');
    const after = await epochRows(page);
    expect(after.map((row) => row.epoch)).toEqual(Array.from({ length: EPOCHS }, (_, index) => index + 1));
    expect(after.every((row) => Number.isFinite(row.train) && row.train > 0 && Number.isFinite(row.validation) && row.validation > 0)).toBe(true);
    const revision = (await page.locator('[data-testid=training-saved-model]').getAttribute('data-revision'))!;
    // Stored: the IndexedDB run is gone, so a reload offers nothing to resume for it.
    expect(await page.locator(`[data-testid=training-saved] li[data-run="${runId}"]`).count()).toBe(0);

    const listing = (await (await fetch(`${appUrl}/api/models`)).json()) as {
      trained: { id: string; revision: string; current: boolean; sha256: string; config: { model: { horizon: number } }; dataWindow: { source: string; trainedIn?: string; range: { rows: number } }; metrics: { resumedFromEpoch: number | null; validation: { mse: number } } }[];
    };
    const trained = listing.trained.find((model) => model.id === MODEL && model.revision === revision);
    expect(trained).toMatchObject({ current: true, config: { model: { horizon: 12 } }, dataWindow: { source: 'etth1', trainedIn: 'browser', range: { rows: 2000 } }, metrics: { resumedFromEpoch: savedEpoch } });
    expect(trained!.sha256.startsWith(revision)).toBe(true);
    expect(Number.isFinite(trained!.metrics.validation.mse)).toBe(true);
    const record = (await (await fetch(`${appUrl}/api/models/trained/${MODEL}/${revision}`)).json()) as { history: { epochs: unknown[]; stepLosses: number[] } };
    expect(record.history.epochs).toHaveLength(EPOCHS);
    expect(record.history.stepLosses).toHaveLength(EPOCHS * 6);

    // Monitoring: the browser run and its per-step and per-epoch metrics (an epoch redone after the reload is reported twice).
    await expect
      .poll(async () => {
        const monitor = (await (await fetch(`${appUrl}/api/monitor?range=1h`)).json()) as { training: { runId: string; status: string; origin: string; step: number | null; valLoss: number | null }[] };
        const points = monitor.training.filter((point) => point.runId === runId);
        return { status: points[0]?.status, origin: points[0]?.origin, steps: points.filter((point) => point.step !== null).length >= 6, epochs: points.filter((point) => point.valLoss !== null).length >= EPOCHS };
      }, { timeout: 30_000, interval: 1000 })
      .toEqual({ status: 'succeeded', origin: 'browser', steps: true, epochs: true });

    // The workbench forecasts with it (the worker loads its weights from the server).
    await expect.poll(() => page.locator(`#model option[value="${MODEL}"]`).count(), { timeout: 30_000 }).toBe(1);
    await page.selectOption('#model', MODEL);
    await page.fill('#horizon', '12');
    await page.fill('#context', '96');
    await page.click('button:has-text("Forecast")');
    await page.locator('[data-testid=forecast-table]').waitFor({ timeout: 120_000 });
    const medians = await page.$$eval('[data-testid=forecast-table] tbody tr td[data-testid=median]', (cells) => cells.map((cell) => Number(cell.getAttribute('data-value'))));
    expect(medians).toHaveLength(12);
    expect(medians.every(Number.isFinite)).toBe(true);

    // Backtest comparison: the trained model beside Chronos-Bolt tiny and the baselines (auto-arima left out for time).
    await page.fill('#windows', '2');
    await page.fill('#step', '12');
    await page.check(`input[name=compare-model][value="${MODEL}"]`);
    await page.check('input[name=compare-model][value="chronos-bolt-tiny"]');
    await page.uncheck('input[name=compare-model][value="auto-arima"]');
    await page.click('[data-testid=backtest-button]');
    await page.locator('[data-testid=comparison-table]').waitFor({ timeout: 240_000 });
    const rows = await page.$$eval('[data-testid=comparison-table] tbody tr', (trs) =>
      trs.map((tr) => ({ model: tr.getAttribute('data-model')!, mase: Number(tr.querySelector('td[data-metric=mase]')?.getAttribute('data-value')), error: tr.querySelector('[data-testid=model-error]')?.textContent ?? null })),
    );
    expect(rows.map((row) => row.model)).toEqual(expect.arrayContaining([MODEL, 'chronos-bolt-tiny', 'seasonal-naive']));
    const mine = rows.find((row) => row.model === MODEL)!;
    expect(mine.error).toBeNull();
    expect(Number.isFinite(mine.mase) && mine.mase > 0).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  }, 600_000);
});
