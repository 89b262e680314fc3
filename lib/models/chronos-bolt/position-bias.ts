/**
 * T5 relative-position buckets and the encoder's position-bias table.
 *
 * The bias depends only on key - query, so the converter precomputes it for the longest possible
 * encoder input ([1, heads, maxTokens, maxTokens]) and the graph slices the top-left
 * [tokens x tokens] corner: exact for every length, with no float log in the graph.
 */

/**
 * transformers' `T5Attention._relative_position_bucket` for one relative position
 * (key - query), with its float32 arithmetic reproduced by rounding after every operation.
 */
export function relativePositionBucket(
  relativePosition: number,
  bidirectional: boolean,
  numBuckets: number,
  maxDistance: number,
): number {
  let buckets = numBuckets;
  let bucket = 0;
  let distance: number;
  if (bidirectional) {
    buckets = Math.floor(buckets / 2);
    if (relativePosition > 0) bucket += buckets;
    distance = Math.abs(relativePosition);
  } else {
    distance = -Math.min(relativePosition, 0);
  }
  const maxExact = Math.floor(buckets / 2);
  if (distance < maxExact) return bucket + distance;
  const f = Math.fround;
  const logRatio = f(Math.log(f(distance / maxExact)));
  const scaled = f(f(logRatio / f(Math.log(maxDistance / maxExact))) * (buckets - maxExact));
  return bucket + Math.min(maxExact + Math.trunc(scaled), buckets - 1);
}

/**
 * The encoder's bias for every (query, key) pair up to `maxTokens`, laid out [1, heads, maxTokens, maxTokens].
 * `weight` is `relative_attention_bias.weight`, [numBuckets, heads] row-major.
 */
export function encoderPositionBiasTable(
  weight: Float32Array,
  numHeads: number,
  numBuckets: number,
  maxDistance: number,
  maxTokens: number,
): Float32Array {
  const bucketByOffset = new Int32Array(2 * maxTokens - 1);
  for (let offset = 0; offset < bucketByOffset.length; offset++) {
    bucketByOffset[offset] = relativePositionBucket(offset - (maxTokens - 1), true, numBuckets, maxDistance);
  }
  const table = new Float32Array(numHeads * maxTokens * maxTokens);
  for (let head = 0; head < numHeads; head++) {
    for (let query = 0; query < maxTokens; query++) {
      const row = (head * maxTokens + query) * maxTokens;
      for (let key = 0; key < maxTokens; key++) {
        table[row + key] = weight[bucketByOffset[key - query + maxTokens - 1]! * numHeads + head]!;
      }
    }
  }
  return table;
}
