package streammetrics.peer;

import java.util.List;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.java.tuple.Tuple3;

/**
 * The window accumulator: Slice (exact count/sum/min/max and a MergingDigest(100), shared with the
 * Kafka Streams peer). On the hashmap state backend the accumulator stays a heap object that add()
 * updates in place; it is serialized (SliceSerializer) only for checkpoints.
 */
final class DigestAggregate implements AggregateFunction<Tuple3<String, Double, Long>, Slice, Slice> {
  @Override
  public Slice createAccumulator() {
    return new Slice();
  }

  @Override
  public Slice add(Tuple3<String, Double, Long> point, Slice acc) {
    acc.add(point.f1);
    return acc;
  }

  @Override
  public Slice getResult(Slice acc) {
    return acc;
  }

  /** Only merging (session) windows call this; the job's windows never merge. */
  @Override
  public Slice merge(Slice a, Slice b) {
    a.count += b.count;
    a.sum += b.sum;
    a.min = Math.min(a.min, b.min);
    a.max = Math.max(a.max, b.max);
    a.digest.add(List.of(b.digest));
    return a;
  }
}
