/**
 * The one division rule for an error over a scale (MAPE, sMAPE, MASE, WQL): 0/0 is 0, because
 * a forecast with no error is perfect whatever the scale; x/0 with x > 0 is Infinity (JavaScript's
 * own result), so an unscaleable series shows up as such instead of being dropped; NaN stays NaN.
 */
export function errorRatio(error: number, scale: number): number {
  if (error === 0 && scale === 0) return 0;
  return error / scale;
}
