import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorResponse, fromZodError } from '@/lib/server/http';

/** A zod failure reaches the caller with each problem said once (it was said twice: message and details.issues). */
describe('fromZodError', () => {
  const schema = z.object({ model: z.string(), horizon: z.number().int().min(1, 'horizon must be at least 1'), series: z.array(z.object({ values: z.array(z.number()) })) });

  it('names every bad field once, in the message, and lists the fields without repeating the issues', async () => {
    const parsed = schema.safeParse({ horizon: -1, series: [{ values: 'x' }] });
    expect(parsed.success).toBe(false);
    const error = fromZodError('forecast', parsed.error!);
    expect(error.message).toBe('forecast: model: Invalid input: expected string, received undefined; horizon: horizon must be at least 1; series.0.values: Invalid input: expected array, received string');
    expect(error.details).toEqual({ fields: ['model', 'horizon', 'series.0.values'] });
    const response = errorResponse(error);
    expect(response.status).toBe(400);
    const text = await response.text();
    for (const message of ['horizon must be at least 1', 'expected string, received undefined', 'expected array, received string']) {
      expect(text.split(message).length - 1).toBe(1);
    }
  });

  it('a refinement reported twice on one path is said once', () => {
    const twice = z.string().superRefine((value, context) => {
      context.addIssue({ code: 'custom', message: 'id is not valid' });
      context.addIssue({ code: 'custom', message: 'id is not valid' });
    });
    const parsed = z.object({ id: twice }).safeParse({ id: 'x' });
    const error = fromZodError('jobs', parsed.error!);
    expect(error.message).toBe('jobs: id: id is not valid');
    expect(error.details).toEqual({ fields: ['id'] });
  });
});
