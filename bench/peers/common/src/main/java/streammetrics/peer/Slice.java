package streammetrics.peer;

import com.tdunning.math.stats.MergingDigest;
import java.nio.ByteBuffer;

/**
 * One series' running aggregate: exact count/sum/min/max and a MergingDigest at the shared
 * compression, with a compact byte form (the digest's small encoding). The Kafka Streams peer keeps
 * one per 10 s slice; the Flink peer uses it as its window accumulator.
 */
final class Slice {
  /** The digest compression of every peer (the harness's percentile tolerance is set for 100). */
  static final double COMPRESSION = 100;

  long count;
  double sum;
  double min = Double.POSITIVE_INFINITY;
  double max = Double.NEGATIVE_INFINITY;
  MergingDigest digest = new MergingDigest(COMPRESSION);

  void add(double v) {
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    digest.add(v);
  }

  byte[] toBytes() {
    digest.compress();
    ByteBuffer buf = ByteBuffer.allocate(32 + digest.smallByteSize());
    buf.putLong(count).putDouble(sum).putDouble(min).putDouble(max);
    digest.asSmallBytes(buf);
    return buf.array();
  }

  static Slice fromBytes(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    Slice s = new Slice();
    s.count = buf.getLong();
    s.sum = buf.getDouble();
    s.min = buf.getDouble();
    s.max = buf.getDouble();
    s.digest = MergingDigest.fromBytes(buf);
    return s;
  }
}
