package streammetrics.peer;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Checkpoint form and copy-on-write copy of the accumulator: count, sum, min, max and the digest's
 * exact state (DigestState), read without modifying the accumulator, so the heap backend's
 * asynchronous snapshot can serialize it while the task thread copies it. Without a serializer of
 * its own, Flink would fall back to Kryo for MergingDigest.
 */
final class SliceSerializer extends TypeSerializerSingleton<Slice> {
  static final SliceSerializer INSTANCE = new SliceSerializer();

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public Slice createInstance() {
    return new Slice();
  }

  @Override
  public Slice copy(Slice from) {
    Slice to = new Slice();
    to.count = from.count;
    to.sum = from.sum;
    to.min = from.min;
    to.max = from.max;
    to.digest = DigestState.copy(from.digest);
    return to;
  }

  @Override
  public Slice copy(Slice from, Slice reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(Slice record, DataOutputView target) throws IOException {
    target.writeLong(record.count);
    target.writeDouble(record.sum);
    target.writeDouble(record.min);
    target.writeDouble(record.max);
    DigestState.write(record.digest, target);
  }

  @Override
  public Slice deserialize(DataInputView source) throws IOException {
    Slice s = new Slice();
    s.count = source.readLong();
    s.sum = source.readDouble();
    s.min = source.readDouble();
    s.max = source.readDouble();
    s.digest = DigestState.read(source);
    return s;
  }

  @Override
  public Slice deserialize(Slice reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  @Override
  public TypeSerializerSnapshot<Slice> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Restores the singleton (the format has no parameters). */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<Slice> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
